/**
 * The differential property test at scale: N random policy/request cases (default 1,000,000)
 * decided by coffer's engine and by @cloud-copilot/iam-simulate; prints every disagreement with
 * its seed and index so it can be replayed, and exits 1 if there is any.
 *
 *   node --import tsx bench/differential.ts [count] [seed]
 *   node --import tsx bench/differential.ts 1000000 42
 *
 * Cases are generated in chunks of 10,000 with seeds seed, seed+1, … so a failure is replayed by
 * running its chunk seed with count 10000 (`src/iam/differential-harness.ts`).
 */
import { runDifferential, type Disagreement } from '../src/iam/differential-harness.ts';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const CHUNK = 10_000;

const started = Date.now();
const found: Disagreement[] = [];
let done = 0;
for (let chunk = 0; done < count; chunk++) {
  const n = Math.min(CHUNK, count - done);
  const d = await runDifferential(seed + chunk, n, 20);
  found.push(...d);
  done += n;
  if (chunk % 10 === 9 || done >= count) {
    const secs = (Date.now() - started) / 1000;
    console.log(`${done} cases, ${found.length} disagreement(s), ${secs.toFixed(1)} s (${Math.round(done / secs)}/s)`);
  }
}
for (const d of found.slice(0, 50)) {
  console.log(`\nseed ${d.seed} case ${d.index}: coffer ${d.ours}, iam-simulate ${d.oracle}\n${JSON.stringify(d.testCase, null, 2)}`);
}
process.exit(found.length === 0 ? 0 : 1);
