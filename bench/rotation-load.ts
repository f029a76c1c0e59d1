/**
 * The measuring loop both rotation benches share: each id rotates back to back until the time is
 * up, all ids at once; the result in rotations per minute and mean time per rotation.
 */
export interface RotationLoad {
  rotations: number;
  seconds: number;
  perMinute: number;
  meanMs: number;
}

export async function driveRotations(ids: string[], rotateOnce: (id: string) => Promise<number>, seconds: number): Promise<RotationLoad> {
  const durations: number[] = [];
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(ids.map(async (id) => {
    while (performance.now() < until) durations.push(await rotateOnce(id));
  }));
  const elapsed = (performance.now() - start) / 1000;
  return {
    rotations: durations.length, seconds: elapsed, perMinute: (durations.length / elapsed) * 60,
    meanMs: durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length),
  };
}
