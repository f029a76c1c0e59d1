/**
 * For deletion tests: wait until a secret is really gone, and make a scheduled deletion due
 * by editing the database of a stopped server (SQLite file or PostgreSQL schema), since a
 * test cannot wait out a seven-day recovery window.
 */
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PG_ADMIN_URL } from './server.ts';

/**
 * Polls DescribeSecret until it answers ResourceNotFoundException. Purging is asynchronous
 * in AWS, so the deadline is generous; it bounds a hang, it does not measure speed.
 */
export async function waitUntilGone(sm: SecretsManagerClient, secretId: string, deadlineMs = 90_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    } catch (err) {
      assert.equal((err as Error).name, 'ResourceNotFoundException', `DescribeSecret failed with ${(err as Error).name}: ${(err as Error).message}`);
      return;
    }
    assert.ok(Date.now() < until, `${secretId} was not purged within ${deadlineMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sets the secret's DeletionDate to a minute ago, directly in the database. */
export async function moveDeletionDateToPast(databaseUrl: string, arn: string): Promise<void> {
  const past = Date.now() - 60_000;
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const schema = new URL(databaseUrl).searchParams.get('schema');
    assert.ok(schema && /^[a-z0-9_]+$/.test(schema), `unexpected schema in ${databaseUrl}`);
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      const res = await client.query(`UPDATE ${schema}.secrets SET deletion_date = $1 WHERE arn = $2 AND deletion_date IS NOT NULL`, [past, arn]);
      assert.equal(res.rowCount, 1, `no scheduled secret ${arn} in ${schema}`);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new SQLite(databaseUrl.replace(/^sqlite:(\/\/)?/, ''));
  try {
    const res = db.prepare('UPDATE secrets SET deletion_date = ? WHERE arn = ? AND deletion_date IS NOT NULL').run(past, arn);
    assert.equal(res.changes, 1, `no scheduled secret ${arn} in ${databaseUrl}`);
  } finally {
    db.close();
  }
}
