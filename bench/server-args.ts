/**
 * How the rotation benches start coffer: without throttling. They measure how many rotations
 * coffer itself can run; at that rate each rotation's PutSecretValue and
 * UpdateSecretVersionStage exceed AWS's combined 50 a second quota within seconds, and the
 * throttled steps would wait for the next retry (minutes) instead.
 */
export const BENCH_SERVER_ARGS = ['--throttle', 'off'];
