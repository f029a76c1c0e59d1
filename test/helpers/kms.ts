/** The KMS client for a test server, and the waits the KMS tests need. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { clientTls, COFFER_BIN, type Credentials, type TestServer } from './server.ts';
import { sql } from './db-rows.ts';

const run = promisify(execFile);

export function kmsClient(server: TestServer, credentials?: Credentials, region = 'us-east-1'): KMSClient {
  return new KMSClient({ endpoint: server.endpoint, region, credentials: credentials ?? server.root, maxAttempts: 1, ...clientTls(server) });
}

/** The server's KMS maintenance task runs every 10 s; polls `check` until it holds. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 25_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > until) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Moves a key's scheduled deletion or rotation into the past, as if the days had gone by. */
export async function makeDue(server: TestServer, keyId: string, column: 'deletion_date' | 'next_rotation_at'): Promise<void> {
  const { changes } = await sql(server, `update {schema}kms_keys set ${column} = $1 where key_id = $2`, [Date.now() - 1000, keyId]);
  assert.equal(changes, 1);
}

/** A second account on the server (`coffer accounts create`), with its root credentials. */
export async function otherAccount(server: TestServer, accountId: string): Promise<Credentials> {
  const { stdout } = await run(process.execPath, [COFFER_BIN, 'accounts', 'create', '--account-id', accountId, '--data-dir', server.dataDir, '--database', server.databaseUrl], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', COFFER_TEST_PG_URL: process.env.COFFER_TEST_PG_URL ?? '' },
  });
  return {
    accessKeyId: /^aws_access_key_id = (\S+)$/m.exec(stdout)![1]!,
    secretAccessKey: /^aws_secret_access_key = (\S+)$/m.exec(stdout)![1]!,
  };
}
