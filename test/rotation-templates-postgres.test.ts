/**
 * The built-in PostgreSQL rotation functions, end to end: deployed from templateZip through
 * the Lambda API with the seed documents' execution-role policy, run by RotateSecret, against
 * a throwaway PostgreSQL cluster that requires scram-sha-256 (so a refused password is real).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { finishedAttempt, makeRotationDue } from './helpers/rotation.ts';
import {
  assertSucceeded, createDbSecret, deployTemplate, pgLogin, rand, rotate, scratchPostgres, secretValue, type ScratchPostgres,
} from './helpers/rotation-templates.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let db: ScratchPostgres;
let single: string;
let admin: (sql: string, params?: unknown[]) => Promise<unknown[]>;
const prefix = `rt-pg-${rand(3)}/`;

before(async () => {
  [server, db] = await Promise.all([startServer(), scratchPostgres()]);
  sm = secretsManager(server);
  single = await deployTemplate(server, 'postgresql-single-user', { secretPrefix: prefix });
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

const login = (user: string, password: string, fn?: Parameters<typeof pgLogin>[1]) =>
  pgLogin({ host: '127.0.0.1', port: db.port, user, password, database: 'postgres' }, fn);
const works = async (user: string, password: string) => {
  const r = await login(user, password);
  assert.ok(!(r && typeof r === 'object' && 'refused' in r), `${user} should sign in: ${JSON.stringify(r)}`);
};
const refused = async (user: string, password: string) => {
  const r = await login(user, password);
  assert.match((r as { refused?: string })?.refused ?? '', /password authentication failed/, `${user} should be refused`);
};
const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

describe('postgresql-single-user', () => {
  test('the user changes its own password: the old one is refused, the new one works, twice', async () => {
    const user = `app_${rand()}`;
    await admin(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-Password-1'`);
    // No `ssl` key: TLS is tried first and the plain connection used when the server has none, as AWS's templates do.
    const arn = await createDbSecret(sm, `${prefix}single-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-1', dbname: 'postgres' });
    assertSucceeded(await rotate(server, sm, arn, single, 1));
    const first = await secretValue(sm, arn);
    assert.equal(first.username, user);
    assert.equal(first.password.length, 32);
    assert.doesNotMatch(first.password, /[:/@"'\\]/, 'the default EXCLUDE_CHARACTERS');
    await works(user, first.password);
    await refused(user, 'initial-Password-1');
    const [row] = await admin('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [user]) as { rolpassword: string }[];
    assert.match(row!.rolpassword, /^SCRAM-SHA-256\$4096:/);

    assertSucceeded(await rotate(server, sm, arn, single, 2));
    const second = await secretValue(sm, arn);
    assert.notEqual(second.password, first.password);
    assert.equal((await secretValue(sm, arn, 'AWSPREVIOUS')).password, first.password);
    await works(user, second.password);
    await refused(user, first.password);
  });

  test('a hostile username is a name, not SQL', async () => {
    const canary = `canary_${rand()}`;
    await admin(`CREATE ROLE ${canary}`);
    const user = `evil"; DROP ROLE ${canary}; --'x`;
    await admin(`CREATE ROLE ${quoteIdent(user)} LOGIN PASSWORD 'initial-Password-2'`);
    const arn = await createDbSecret(sm, `${prefix}hostile-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-2', ssl: false });
    assertSucceeded(await rotate(server, sm, arn, single, 1));
    await works(user, (await secretValue(sm, arn)).password);
    await refused(user, 'initial-Password-2');
    assert.equal((await admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [canary])).length, 1, 'the canary role survives');
  });

  test('the database down during setSecret: AWSCURRENT keeps working, the next attempt finishes', async () => {
    const user = `app_${rand()}`;
    await admin(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-Password-3'`);
    const arn = await createDbSecret(sm, `${prefix}down-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-3', ssl: 'false' });
    await db.stop();
    let failed;
    try {
      failed = await rotate(server, sm, arn, single, 1);
    } finally {
      await db.start();
    }
    assert.equal(failed.outcome, 'failed', JSON.stringify(failed));
    assert.deepEqual(failed.steps.map((s) => [s.step, s.outcome]), [['createSecret', 'succeeded'], ['setSecret', 'failed']]);
    assert.equal((await secretValue(sm, arn)).password, 'initial-Password-3');
    await works(user, 'initial-Password-3');

    await makeRotationDue(server, arn);
    const retried = await finishedAttempt(server, arn, 120_000, 2);
    assertSucceeded(retried);
    assert.equal(retried.token, failed.token, 'the same token');
    const now = await secretValue(sm, arn);
    const pending = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: failed.token }))).SecretString!);
    assert.equal(now.password, pending.password);
    await works(user, now.password);
    await refused(user, 'initial-Password-3');
  });
});

describe('postgresql-alternating-users', () => {
  test('user and user_clone alternate; both stay interchangeable through one owning role', async () => {
    const master = `master_${rand()}`;
    const user = `app_${rand()}`;
    const schema = `s_${rand()}`;
    await admin(`CREATE ROLE ${master} LOGIN CREATEROLE PASSWORD 'master-Password-1'`);
    await admin(`CREATE ROLE ${user} LOGIN PASSWORD 'initial-Password-4'`);
    await admin(`CREATE SCHEMA ${schema} AUTHORIZATION ${user}`);
    const masterArn = await createDbSecret(sm, `master-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: master, password: 'master-Password-1', ssl: false });
    const fn = await deployTemplate(server, 'postgresql-alternating-users', { secretPrefix: prefix, masterArn });
    const arn = await createDbSecret(sm, `${prefix}alt-${rand()}`, {
      engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-4', dbname: 'postgres', ssl: false, masterarn: masterArn,
    });
    // An object the original user creates before any rotation.
    await login(user, 'initial-Password-4', (c) => c.query(`CREATE TABLE ${schema}.t_user (v text); INSERT INTO ${schema}.t_user VALUES ('from user')`));

    assertSucceeded(await rotate(server, sm, arn, fn, 1));
    const r1 = await secretValue(sm, arn);
    assert.equal(r1.username, `${user}_clone`);
    await works(`${user}_clone`, r1.password);
    await works(user, 'initial-Password-4');
    // The clone reads and writes the user's table and creates its own, owned by the owning role.
    await login(`${user}_clone`, r1.password, async (c) => {
      assert.deepEqual((await c.query(`SELECT v FROM ${schema}.t_user`)).rows, [{ v: 'from user' }]);
      await c.query(`INSERT INTO ${schema}.t_user VALUES ('from clone')`);
      await c.query(`CREATE TABLE ${schema}.t_clone (v text); INSERT INTO ${schema}.t_clone VALUES ('from clone')`);
    });
    const owners = await admin(`SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema]);
    assert.deepEqual(owners, [{ relname: 't_clone', owner: user }, { relname: 't_user', owner: user }]);
    // The user uses (and may drop) what the clone created.
    await login(user, 'initial-Password-4', async (c) => {
      assert.equal((await c.query(`SELECT count(*)::int AS n FROM ${schema}.t_clone`)).rows[0].n, 1);
      await c.query(`ALTER TABLE ${schema}.t_clone ADD COLUMN w int`);
    });

    assertSucceeded(await rotate(server, sm, arn, fn, 2));
    const r2 = await secretValue(sm, arn);
    assert.equal(r2.username, user);
    await works(user, r2.password);
    await works(`${user}_clone`, r1.password); // AWSPREVIOUS still works
    await refused(user, 'initial-Password-4'); // the one before is rotated away

    assertSucceeded(await rotate(server, sm, arn, fn, 3));
    const r3 = await secretValue(sm, arn);
    assert.equal(r3.username, `${user}_clone`);
    await works(`${user}_clone`, r3.password);
    await works(user, r2.password);
    await refused(`${user}_clone`, r1.password);
    // A grant made to the user after the clone exists reaches the clone too.
    await admin(`CREATE TABLE public.t_${schema} (v int)`);
    await admin(`GRANT SELECT ON public.t_${schema} TO ${user}`);
    await login(`${user}_clone`, r3.password, (c) => c.query(`SELECT * FROM public.t_${schema}`));
  });
});

describe('postgresql-alternating-users with a hostile user name', () => {
  test('quotes and semicolons in the name are only a name', async () => {
    const canary = `canary_${rand()}`;
    await admin(`CREATE ROLE ${canary}`);
    const master = `master_${rand()}`;
    const user = `al"ice'; DROP ROLE ${canary}; --`;
    await admin(`CREATE ROLE ${master} LOGIN CREATEROLE PASSWORD 'master-Password-2'`);
    await admin(`CREATE ROLE ${quoteIdent(user)} LOGIN PASSWORD 'initial-Password-5'`);
    const masterArn = await createDbSecret(sm, `master-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: master, password: 'master-Password-2', ssl: false });
    const fn = await deployTemplate(server, 'postgresql-alternating-users', { secretPrefix: prefix, masterArn });
    const arn = await createDbSecret(sm, `${prefix}alt-hostile-${rand()}`, { engine: 'postgres', host: '127.0.0.1', port: db.port, username: user, password: 'initial-Password-5', ssl: false, masterarn: masterArn });
    assertSucceeded(await rotate(server, sm, arn, fn, 1));
    const r1 = await secretValue(sm, arn);
    assert.equal(r1.username, `${user}_clone`);
    const who = await login(`${user}_clone`, r1.password, async (c) => (await c.query('SELECT session_user AS s, current_user AS c')).rows[0]);
    assert.deepEqual(who, { s: `${user}_clone`, c: user }, 'the clone acts as the owning role');
    assert.equal((await admin('SELECT 1 FROM pg_roles WHERE rolname = $1', [canary])).length, 1, 'the canary role survives');
  });
});
