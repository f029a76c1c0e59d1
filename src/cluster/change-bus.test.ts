/**
 * The change bus against the local PostgreSQL (the one the test suite uses): a change
 * published by one node reaches another, not itself; a lost notification connection stops
 * the caches' trust at once, and the reconnection flushes everything before trust returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { startChangeBus, type ChangeBus } from './change-bus.ts';
import type { ChangeTopic } from './cache-sync.ts';

const PG_URL = process.env.COFFER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const log = pino({ level: 'silent' });

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('changes cross between nodes; a dropped connection is distrusted, then flushed on reconnecting', async () => {
  const channel = `coffer_bus_test_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const heard: Record<string, [ChangeTopic, string][]> = { a: [], b: [] };
  const flushed: Record<string, string[]> = { a: [], b: [] };
  const buses: Record<string, ChangeBus> = {};
  for (const node of ['a', 'b']) {
    buses[node] = startChangeBus({
      connection: { connectionString: PG_URL, application_name: `${channel}_${node}` },
      notify: async (ch, payload) => { await admin.query('select pg_notify($1, $2)', [ch, payload]); },
      channel, nodeId: `node-${node}`, log,
      handlers: { changed: (topic, key) => heard[node]!.push([topic, key]), flushAll: (reason) => flushed[node]!.push(reason) },
    });
  }
  try {
    assert.equal(await buses.a!.ready(5000), true);
    assert.equal(await buses.b!.ready(5000), true);
    assert.equal(flushed.b!.length, 1, 'the first ping heard flushes whatever was cached before listening');

    buses.a!.publish('secret', 's-1');
    buses.a!.publish('kms-key', 'k-1');
    await until('b hears a\'s changes', () => heard.b!.length === 2);
    assert.deepEqual(heard.b, [['secret', 's-1'], ['kms-key', 'k-1']]);
    assert.deepEqual(heard.a, [], 'a node does not hear its own changes (it dropped them before publishing)');

    // The server drops b's notification connection: b stops trusting its caches at once.
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [`${channel}_b`]);
    await until('b distrusts its caches', () => !buses.b!.trusted(), 2000);
    // A change made while b is deaf is never heard by b ...
    buses.a!.publish('iam', '*');
    // ... so b's reconnection flushes every cache before trusting them again.
    await until('b reconnects', () => buses.b!.trusted(), 5000);
    assert.equal(flushed.b!.length, 2);
    assert.match(flushed.b![1]!, /listening \(again\)/);
    buses.a!.publish('access-key', 'AKIA1');
    await until('b hears changes again', () => heard.b!.some(([t]) => t === 'access-key'));
  } finally {
    await buses.a!.close();
    await buses.b!.close();
    await admin.end();
  }
});
