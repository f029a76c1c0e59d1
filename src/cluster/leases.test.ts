import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { openStore } from '../storage/database.ts';
import { databaseLeases } from './leases.ts';
import { startPeriodicTask } from '../periodic-task.ts';

test('a lease has one holder until it expires or is released', async () => {
  const store = await openStore('sqlite://:memory:');
  let now = 1_000;
  const a = databaseLeases(store.db, 'node-a', () => now);
  const b = databaseLeases(store.db, 'node-b', () => now);
  assert.equal(await a.acquire('job', 100), true);
  assert.equal(await b.acquire('job', 100), false, 'held by a');
  assert.equal(await a.acquire('job', 100), true, 'a renews');
  now += 99;
  assert.equal(await b.acquire('job', 100), false, 'renewed at 1000, so still a\'s at 1099');
  now += 101;
  assert.equal(await b.acquire('job', 100), true, 'expired: b takes it');
  assert.equal(await a.acquire('job', 100), false);
  await b.release('job');
  assert.equal(await a.acquire('job', 100), true, 'released: a takes it at once');
  assert.equal(await b.acquire('other', 100), true, 'leases are per name');
  await store.close();
});

test('a periodic task with a lease runs its passes on one node only, and hands over on stop', async () => {
  const store = await openStore('sqlite://:memory:');
  const log = pino({ level: 'silent' });
  const runs: string[] = [];
  const task = (node: string) => startPeriodicTask(async () => { runs.push(node); return 1; }, {
    intervalMs: 60_000, log, idle: 0, failure: 'x', lease: { leases: databaseLeases(store.db, node), name: 'job' },
  });
  const a = task('a');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const b = task('b');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(await b.runOnce(), 0, 'b does not hold the lease');
  assert.equal(await a.runOnce(), 1);
  assert.deepEqual(runs, ['a', 'a']);
  await a.stop();
  assert.equal(await b.runOnce(), 1, 'a released it');
  await b.stop();
  await store.close();
});
