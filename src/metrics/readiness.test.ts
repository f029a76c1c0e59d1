import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { databaseReadiness } from './readiness.ts';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

test('ready while the database answers; the answer is reused for cacheMs', async () => {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  let now = 0;
  const readiness = databaseReadiness(db, { cacheMs: 1000, now: () => now });
  assert.deepEqual(await readiness.check(), { ready: true });
  await db.destroy();
  now = 500;
  assert.deepEqual(await readiness.check(), { ready: true }, 'cached within the second');
  now = 1500;
  const after = await readiness.check();
  assert.equal(after.ready, false, 'a closed database is noticed once the cached answer is old');
  assert.match(after.reason!, /^the database is unreachable: /);
});

test('not ready when PostgreSQL cannot be reached, with the reason', async () => {
  const pool = new pg.Pool({ host: '127.0.0.1', port: await closedPort(), user: 'postgres', database: 'test', connectionTimeoutMillis: 1000 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const readiness = databaseReadiness(db, { timeoutMs: 3000 });
    const [a, b] = await Promise.all([readiness.check(), readiness.check()]);
    assert.equal(a.ready, false);
    assert.match(a.reason!, /unreachable: .*ECONNREFUSED/);
    assert.equal(a, b, 'concurrent probes share one query');
  } finally {
    await db.destroy();
  }
});
