/**
 * Differential property test: 20,000 random policies and requests (seeded, reproducible),
 * decided by coffer's engine and by @cloud-copilot/iam-simulate, must get the same decision.
 * The generator and the shapes it leaves out (each a named conformance case citing the AWS
 * sentence that decides it) are in differential-harness.ts; `node --import tsx
 * bench/differential.ts [count] [seed]` runs a million.
 *
 * Set COFFER_DIFFERENTIAL_SEED to replay or explore another seed; a failure prints the seed,
 * the case index and the whole case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Disagreement } from './differential-harness.ts';

const SEED = Number(process.env.COFFER_DIFFERENTIAL_SEED ?? 20_000);
const TOTAL = 20_000;

function chunk(seed: number, count: number): Promise<Disagreement[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./differential-worker.mjs', import.meta.url), { workerData: { seed, count } });
    worker.once('message', (d: Disagreement[]) => resolve(d));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`differential worker exited with ${code}`))));
  });
}

test(`coffer's evaluate agrees with iam-simulate on ${TOTAL} random cases (seed ${SEED})`, async () => {
  const workers = Math.max(1, Math.min(4, availableParallelism()));
  const per = Math.ceil(TOTAL / workers);
  const results = await Promise.all(Array.from({ length: workers }, (_, i) => chunk(SEED + i, Math.min(per, TOTAL - i * per))));
  const found = results.flat();
  assert.deepEqual(
    found.slice(0, 3).map((d) => `seed ${d.seed} case ${d.index}: coffer ${d.ours}, iam-simulate ${d.oracle}: ${JSON.stringify(d.testCase)}`),
    [],
    `${found.length} disagreement(s); replay with COFFER_DIFFERENTIAL_SEED`,
  );
});
