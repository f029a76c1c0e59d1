/**
 * The built-in PostgreSQL rotation function over TLS, end to end: a throwaway cluster with
 * `ssl = on`, a certificate made for the test (SAN 127.0.0.1/localhost) and pg_hba accepting
 * only `hostssl … scram-sha-256`, so any login without TLS is refused. The function trusts the
 * test's CA through NODE_EXTRA_CA_CERTS (a function variable); without it the certificate
 * cannot be verified and the rotation stops at setSecret, leaving AWSCURRENT as it was.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { lambdaClient } from './helpers/rotation.ts';
import {
  assertSucceeded, createDbSecret, deployTemplate, pgLogin, rand, rotate, scratchPostgres, secretValue, type PgLoginConfig, type ScratchPostgres,
} from './helpers/rotation-templates.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let db: ScratchPostgres;
let admin: (sql: string, params?: unknown[]) => Promise<unknown[]>;
const prefix = `rt-tls-${rand(3)}/`;

before(async () => {
  [server, db] = await Promise.all([startServer(), scratchPostgres({ tls: true })]);
  sm = secretsManager(server);
  admin = async (sql, params) => {
    const r = await pgLogin(db.admin, async (c) => (await c.query(sql, params)).rows);
    if ('refused' in (r as object)) throw new Error((r as { refused: string }).refused);
    return r as unknown[];
  };
});
after(async () => {
  await server?.destroy();
  await db?.destroy();
});

/** Signs in over TLS, verifying the server against the test's CA (db.admin.ssl). */
const tlsLogin = (user: string, password: string, fn?: Parameters<typeof pgLogin>[1]) =>
  pgLogin({ ...db.admin, user, password } satisfies PgLoginConfig, fn);
const works = async (user: string, password: string) => {
  const r = await tlsLogin(user, password, async (c) => (await c.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0]);
  assert.deepEqual(r, { ssl: true }, `${user} should sign in over TLS: ${JSON.stringify(r)}`);
};
const refused = async (user: string, password: string) => {
  const r = await tlsLogin(user, password);
  assert.match((r as { refused?: string })?.refused ?? '', /password authentication failed/, `${user} should be refused`);
};

describe('postgresql-single-user over TLS', () => {
  test('the cluster refuses a login without TLS, even with the right password', async () => {
    const r = await pgLogin({ ...db.admin, ssl: false });
    assert.match((r as { refused?: string })?.refused ?? '', /no pg_hba\.conf entry .*no encryption/);
  });

  test('ssl true and the CA in NODE_EXTRA_CA_CERTS: the rotation connects with TLS; new password works, old refused', async () => {
    assert.ok(db.caFile);
    const fn = await deployTemplate(server, 'postgresql-single-user', { secretPrefix: prefix, env: { NODE_EXTRA_CA_CERTS: db.caFile } });
    const user = `app_${rand()}`;
    await admin(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-Password-1'`);
    const arn = await createDbSecret(sm, `${prefix}single-${rand()}`, {
      engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-1', dbname: 'postgres', ssl: true,
    });
    assertSucceeded(await rotate(server, sm, arn, fn, 1));
    const now = await secretValue<Record<string, unknown>>(sm, arn);
    assert.equal(now.ssl, true, 'the secret keeps its ssl key');
    assert.equal(now.username, user);
    assert.notEqual(now.password, 'initial-Password-1');
    await works(user, now.password as string);
    await refused(user, 'initial-Password-1');
  });

  test('ssl true but the CA not trusted: setSecret fails, nothing changes, AWSCURRENT still works', async () => {
    const fn = await deployTemplate(server, 'postgresql-single-user', { secretPrefix: prefix }); // no NODE_EXTRA_CA_CERTS
    const user = `app_${rand()}`;
    await admin(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-Password-2'`);
    const arn = await createDbSecret(sm, `${prefix}untrusted-${rand()}`, {
      engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-2', dbname: 'postgres', ssl: true,
    });
    const failed = await rotate(server, sm, arn, fn, 1);
    assert.equal(failed.outcome, 'failed', JSON.stringify(failed));
    assert.deepEqual(failed.steps.map((s) => [s.step, s.outcome]), [['createSecret', 'succeeded'], ['setSecret', 'failed']]);
    // The cause: the step run again by hand, its log shows every login failed certificate verification.
    const again = await lambdaClient(server).send(new InvokeCommand({
      FunctionName: fn, LogType: 'Tail',
      Payload: Buffer.from(JSON.stringify({ Step: 'setSecret', SecretId: arn, ClientRequestToken: failed.token })),
    }));
    assert.equal(again.FunctionError, 'Unhandled');
    assert.match(Buffer.from(again.Payload!).toString(), /Unable to log into database with previous, current, or pending secret/);
    const log = Buffer.from(again.LogResult!, 'base64').toString();
    assert.match(log, new RegExp(`Unable to log into 127\\.0\\.0\\.1 as ${user}: (unable to verify the first certificate|self[- ]signed certificate)`), log);
    assert.doesNotMatch(log, /initial-Password-2/, 'no password in the log');
    assert.equal((await secretValue(sm, arn)).password, 'initial-Password-2');
    await works(user, 'initial-Password-2');
    const pending = await secretValue(sm, arn, 'AWSPENDING');
    await refused(user, pending.password);
  });
});
