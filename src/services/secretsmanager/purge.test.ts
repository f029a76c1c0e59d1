import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { startPurgeTask, type PurgeRepository, type PurgeTask } from './purge.ts';

interface FakeSecret {
  id: string;
  arn: string;
  deletion_date: number | null;
}

const INTERVAL = 10_000;
let clock: number;
let secrets: Map<string, FakeSecret>;
let errors: unknown[][];
let task: PurgeTask | undefined;
/** Hooks a test uses to make the fake database fail or stall. */
let onScan: () => Promise<void> | void;
let onPurge: (id: string) => Promise<void> | void;
let scans: number;

const log = { info() {}, error(...args: unknown[]) { errors.push(args); } } as unknown as Logger;

const repo: PurgeRepository = {
  async dueForPurge(now: number, limit = 100) {
    scans++;
    const due = [...secrets.values()].filter((s) => s.deletion_date !== null && s.deletion_date <= now).slice(0, limit);
    await onScan();
    return due as never;
  },
  async withSecretLock(id: string, fn: (trx: never, row: never) => Promise<unknown>) {
    const row = secrets.get(id);
    return fn({} as never, (row ? { ...row } : undefined) as never);
  },
  async purge(id: string) {
    await onPurge(id);
    secrets.delete(id);
  },
} as unknown as PurgeRepository;

function add(id: string, deletionDate: number | null): void {
  secrets.set(id, { id, arn: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-abcdef`, deletion_date: deletionDate });
}

/** Lets pending promise callbacks run; the fake repository never waits on real I/O. */
async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
}

function start(): PurgeTask {
  task = startPurgeTask(repo, log, () => clock, INTERVAL);
  return task;
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setInterval'] });
  clock = 1_000_000_000_000;
  secrets = new Map();
  errors = [];
  scans = 0;
  onScan = () => {};
  onPurge = () => {};
});

afterEach(async () => {
  await task?.stop();
  task = undefined;
  mock.timers.reset();
});

test('purges due secrets at start, leaves the rest', async () => {
  add('due', clock - 1);
  add('due-now', clock);
  add('later', clock + 1);
  add('live', null);
  start();
  await settle();
  assert.deepEqual([...secrets.keys()].sort(), ['later', 'live']);
});

test('runs again on every interval and picks up secrets that became due', async () => {
  add('later', clock + 5_000);
  start();
  await settle();
  assert.ok(secrets.has('later'));
  clock += 6_000;
  mock.timers.tick(INTERVAL);
  await settle();
  assert.ok(!secrets.has('later'));
  const before = scans;
  mock.timers.tick(INTERVAL);
  await settle();
  assert.equal(scans, before + 1);
});

test('a failed scan is logged and retried on the next interval', async () => {
  add('due', clock - 1);
  let fail = true;
  onScan = () => { if (fail) throw new Error('database unavailable'); };
  start();
  await settle();
  assert.ok(secrets.has('due'));
  assert.equal(errors.length, 1);
  fail = false;
  mock.timers.tick(INTERVAL);
  await settle();
  assert.ok(!secrets.has('due'));
});

test('one secret failing does not stop the others; it is retried on the next pass', async () => {
  add('a', clock - 3);
  add('b', clock - 2);
  add('c', clock - 1);
  let fail = true;
  onPurge = (id) => { if (id === 'b' && fail) throw new Error('constraint violation'); };
  const t = start();
  await settle();
  assert.deepEqual([...secrets.keys()], ['b']);
  assert.equal(errors.length, 1);
  fail = false;
  assert.equal(await t.runOnce(), 1);
  assert.equal(secrets.size, 0);
});

test('a secret restored between the scan and its lock is kept', async () => {
  add('restored', clock - 1);
  // RestoreSecret lands after the scan listed the secret, before the purge takes its lock.
  onScan = () => { secrets.get('restored')!.deletion_date = null; };
  start();
  await settle();
  assert.ok(secrets.has('restored'));
});

test('a long backlog is purged in one pass, in batches', async () => {
  for (let i = 0; i < 250; i++) add(`s${i}`, clock - 1);
  start();
  await settle();
  await task!.runOnce();
  assert.equal(secrets.size, 0);
  assert.ok(scans >= 3, `scanned ${scans} times`);
});

test('stop waits for a pass in progress, and no pass runs afterwards', async () => {
  add('slow', clock - 1);
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  onPurge = () => gate;
  const t = start();
  await settle();
  let stopped = false;
  const stopping = t.stop().then(() => { stopped = true; });
  await settle();
  assert.equal(stopped, false, 'stop returned while a purge was still writing');
  release();
  await stopping;
  assert.ok(!secrets.has('slow'));
  add('after-stop', clock - 1);
  const before = scans;
  mock.timers.tick(INTERVAL * 3);
  await settle();
  assert.equal(scans, before);
  assert.equal(await t.runOnce(), 0);
  assert.ok(secrets.has('after-stop'));
});
