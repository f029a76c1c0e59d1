// Worker for differential.test.ts: runs one chunk of the differential test (TEST-ONLY; see
// differential-harness.ts). Plain JavaScript because a worker's entry file does not go through
// tsx's loader; it registers tsx and then imports the TypeScript harness.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { runDifferential } = await import('./differential-harness.ts');
parentPort.postMessage(await runDifferential(workerData.seed, workerData.count));
