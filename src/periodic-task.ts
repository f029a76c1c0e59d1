/**
 * The skeleton of coffer's background jobs (secret purge, KMS key maintenance, scheduled
 * rotations): a pass at start and then on a timer, never two passes at once on one node, a
 * failed pass logged and retried on the next tick, and `stop()` waiting for a pass in progress
 * so the database is never closed under it. Each job reads what is due from the database on
 * every pass, so a restart loses nothing.
 */
import type { Logger } from 'pino';

export interface PeriodicTask<T> {
  /** One pass; resolves to its result, or to `idle` if a pass is already running or the task stopped. */
  runOnce(): Promise<T>;
  /** No further passes; resolves once a pass in progress has finished. */
  stop(): Promise<void>;
}

export interface PeriodicTaskOptions<T> {
  intervalMs: number;
  log: Logger;
  /** What a pass that could not run answers (`0`, `{ deleted: 0 }`…). */
  idle: T;
  /** Logged when a whole pass fails: "purge pass failed". */
  failure: string;
}

/** `pass` receives `stopped()`, to check between items so stopping is prompt. */
export function startPeriodicTask<T>(pass: (stopped: () => boolean) => Promise<T>, options: PeriodicTaskOptions<T>): PeriodicTask<T> {
  let current: Promise<T> | undefined;
  let stopped = false;
  const isStopped = () => stopped;

  const runOnce = (): Promise<T> => {
    if (current || stopped) return Promise.resolve(options.idle);
    current = pass(isStopped).finally(() => { current = undefined; });
    return current;
  };
  const tick = () => {
    runOnce().catch((err) => options.log.error({ err }, `${options.failure}; retrying on the next pass`));
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current?.catch(() => undefined);
    },
  };
}
