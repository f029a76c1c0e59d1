/**
 * The built-in MySQL/MariaDB rotation functions, end to end against the machine's MariaDB
 * (127.0.0.1:3306, which checks passwords): deployed from templateZip through the Lambda API
 * with the seed documents' execution-role policy, run by RotateSecret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { assertSucceeded, createDbSecret, deployTemplate, rand, rotate, secretValue } from './helpers/rotation-templates.ts';

const HOST = '127.0.0.1';
const PORT = 3306;
let server: TestServer;
let sm: SecretsManagerClient;
let root: mysql.Connection;
let single: string;
const prefix = `rt-my-${rand(3)}/`;
const cleanup: string[] = [];

const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';
const account = (user: string) => `${q(user)}@'%'`;

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  root = await mysql.createConnection({ host: HOST, port: PORT, user: 'root' });
  single = await deployTemplate(server, 'mysql-single-user', { secretPrefix: prefix });
});
after(async () => {
  for (const stmt of cleanup.reverse()) await root.query(stmt).catch(() => undefined);
  await root?.end();
  await server?.destroy();
});

async function newUser(user: string, password: string, grants: string[] = []): Promise<void> {
  await root.query(`CREATE USER ${account(user)} IDENTIFIED BY '${password}'`);
  cleanup.push(`DROP USER IF EXISTS ${account(user)}`);
  for (const g of grants) await root.query(`GRANT ${g} TO ${account(user)}`);
}

async function newDatabase(): Promise<string> {
  const name = `rt_${rand()}`;
  await root.query(`CREATE DATABASE ${q(name)}`);
  cleanup.unshift(`DROP DATABASE IF EXISTS ${q(name)}`);
  return name;
}

async function login<T>(user: string, password: string, fn?: (c: mysql.Connection) => Promise<T>): Promise<T | { refused: string }> {
  let c: mysql.Connection;
  try {
    c = await mysql.createConnection({ host: HOST, port: PORT, user, password });
  } catch (err) {
    return { refused: (err as Error).message };
  }
  try {
    return fn ? await fn(c) : (undefined as T);
  } finally {
    await c.end();
  }
}
const works = async (user: string, password: string) => {
  const r = await login(user, password);
  assert.ok(!(r && typeof r === 'object' && 'refused' in r), `${user} should sign in: ${JSON.stringify(r)}`);
};
const refused = async (user: string, password: string) => {
  const r = await login(user, password);
  assert.match((r as { refused?: string })?.refused ?? '', /Access denied/, `${user} should be refused`);
};
/** SHOW GRANTS with the grantee and the password hash taken out, to compare two users. */
async function grantsOf(user: string): Promise<string[]> {
  const [rows] = await root.query<mysql.RowDataPacket[]>(`SHOW GRANTS FOR ${account(user)}`);
  return rows.map((r) => String(Object.values(r)[0]).replace(` TO ${q(user)}@\`%\``, ' TO <u>').replace(` FOR ${q(user)}@\`%\``, ' FOR <u>').replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '')).sort();
}

describe('mysql-single-user (MariaDB)', () => {
  test('the user changes its own password: the old one is refused, the new one works, twice', async () => {
    const user = `app_${rand()}`;
    await newUser(user, 'initial-Password-1');
    const arn = await createDbSecret(sm, `${prefix}single-${rand()}`, { engine: 'mariadb', host: HOST, port: PORT, username: user, password: 'initial-Password-1' });
    assertSucceeded(await rotate(server, sm, arn, single, 1));
    const first = await secretValue(sm, arn);
    assert.equal(first.password.length, 32);
    assert.doesNotMatch(first.password, /[/@"'\\]/);
    await works(user, first.password);
    await refused(user, 'initial-Password-1');

    assertSucceeded(await rotate(server, sm, arn, single, 2));
    const second = await secretValue(sm, arn);
    await works(user, second.password);
    await refused(user, first.password);
  });

  test('a hostile username is a name, not SQL', async () => {
    const db = await newDatabase();
    await root.query(`CREATE TABLE ${q(db)}.canary (v int)`);
    const user = `ev\`il'; DROP DATABASE ${db}; --`;
    await newUser(user, 'initial-Password-2');
    const arn = await createDbSecret(sm, `${prefix}hostile-${rand()}`, { engine: 'mysql', host: HOST, port: PORT, username: user, password: 'initial-Password-2', ssl: false });
    assertSucceeded(await rotate(server, sm, arn, single, 1));
    await works(user, (await secretValue(sm, arn)).password);
    await refused(user, 'initial-Password-2');
    const [rows] = await root.query<mysql.RowDataPacket[]>(`SHOW TABLES FROM ${q(db)}`);
    assert.equal(rows.length, 1, 'the canary survives');
  });
});

describe('mysql-alternating-users (MariaDB)', () => {
  test('user and user_clone alternate with the same grants, roles and default role, rotation after rotation', async () => {
    const db = await newDatabase();
    const other = await newDatabase();
    const master = `master_${rand()}`;
    const user = `app_${rand()}`;
    const role = `r_${rand()}`;
    await newUser(master, 'master-Password-1', ['ALL PRIVILEGES ON *.*']);
    await root.query(`GRANT ALL PRIVILEGES ON *.* TO ${account(master)} WITH GRANT OPTION`);
    await root.query(`CREATE ROLE ${q(role)}`);
    cleanup.push(`DROP ROLE IF EXISTS ${q(role)}`);
    await root.query(`GRANT SELECT ON ${q(other)}.* TO ${q(role)}`);
    // Granting a role on MariaDB takes its ADMIN OPTION, which ALL PRIVILEGES does not include.
    await root.query(`GRANT ${q(role)} TO ${account(master)} WITH ADMIN OPTION`);
    await newUser(user, 'initial-Password-3', [`SELECT, INSERT, CREATE ON ${q(db)}.*`, q(role)]);
    await root.query(`SET DEFAULT ROLE ${q(role)} FOR ${account(user)}`);
    cleanup.push(`DROP USER IF EXISTS ${account(`${user}_clone`)}`);
    await root.query(`CREATE TABLE ${q(other)}.t (v int)`);

    const masterArn = await createDbSecret(sm, `master-${rand()}`, { engine: 'mariadb', host: HOST, port: PORT, username: master, password: 'master-Password-1', ssl: false });
    const fn = await deployTemplate(server, 'mysql-alternating-users', { secretPrefix: prefix, masterArn });
    const arn = await createDbSecret(sm, `${prefix}alt-${rand()}`, {
      engine: 'mariadb', host: HOST, port: PORT, username: user, password: 'initial-Password-3', dbname: db, ssl: false, masterarn: masterArn,
    });
    await login(user, 'initial-Password-3', (c) => c.query(`CREATE TABLE ${q(db)}.t_user (v text)`));

    assertSucceeded(await rotate(server, sm, arn, fn, 1));
    const r1 = await secretValue(sm, arn);
    assert.equal(r1.username, `${user}_clone`);
    await works(`${user}_clone`, r1.password);
    await works(user, 'initial-Password-3');
    assert.deepEqual(await grantsOf(`${user}_clone`), await grantsOf(user));
    await login(`${user}_clone`, r1.password, async (c) => {
      await c.query(`INSERT INTO ${q(db)}.t_user VALUES ('from clone')`);
      await c.query(`CREATE TABLE ${q(db)}.t_clone (v text)`);
      await c.query(`SELECT * FROM ${q(other)}.t`); // through the default role
    });
    await login(user, 'initial-Password-3', (c) => c.query(`INSERT INTO ${q(db)}.t_clone VALUES ('from user')`));

    // A grant to the current user (the clone now) reaches the other at the next rotation.
    await root.query(`GRANT DELETE ON ${q(db)}.* TO ${account(`${user}_clone`)}`);
    assertSucceeded(await rotate(server, sm, arn, fn, 2));
    const r2 = await secretValue(sm, arn);
    assert.equal(r2.username, user);
    await works(user, r2.password);
    await works(`${user}_clone`, r1.password);
    await refused(user, 'initial-Password-3');
    assert.deepEqual(await grantsOf(user), await grantsOf(`${user}_clone`));

    // Drift on the user being rotated (a grant only it has) is revoked.
    await root.query(`GRANT INSERT ON ${q(other)}.* TO ${account(`${user}_clone`)}`);
    assertSucceeded(await rotate(server, sm, arn, fn, 3));
    const r3 = await secretValue(sm, arn);
    assert.equal(r3.username, `${user}_clone`);
    await works(`${user}_clone`, r3.password);
    await works(user, r2.password);
    await refused(`${user}_clone`, r1.password);
    assert.deepEqual(await grantsOf(`${user}_clone`), await grantsOf(user));
  });
});

describe('mysql-alternating-users with a hostile user name', () => {
  test('quotes, backticks and semicolons in the name are only a name; the clone gets its grants', async () => {
    const db = await newDatabase();
    const master = `master_${rand()}`;
    const user = `a'b\`c; DROP DATABASE ${db}; --`.slice(0, 40);
    await newUser(master, 'master-Password-2', ['ALL PRIVILEGES ON *.*']);
    await root.query(`GRANT ALL PRIVILEGES ON *.* TO ${account(master)} WITH GRANT OPTION`);
    await newUser(user, 'initial-Password-4', [`SELECT ON ${q(db)}.*`]);
    cleanup.push(`DROP USER IF EXISTS ${account(`${user}_clone`)}`);
    const masterArn = await createDbSecret(sm, `master-${rand()}`, { engine: 'mariadb', host: HOST, port: PORT, username: master, password: 'master-Password-2', ssl: false });
    const fn = await deployTemplate(server, 'mysql-alternating-users', { secretPrefix: prefix, masterArn, env: { USERNAME_CHARACTER_LIMIT: '80' } });
    const arn = await createDbSecret(sm, `${prefix}alt-hostile-${rand()}`, { engine: 'mariadb', host: HOST, port: PORT, username: user, password: 'initial-Password-4', ssl: false, masterarn: masterArn });
    assertSucceeded(await rotate(server, sm, arn, fn, 1));
    const r1 = await secretValue(sm, arn);
    assert.equal(r1.username, `${user}_clone`);
    await works(`${user}_clone`, r1.password);
    assert.deepEqual(await grantsOf(`${user}_clone`), await grantsOf(user));
    const [rows] = await root.query<mysql.RowDataPacket[]>('SHOW DATABASES LIKE ?', [db]);
    assert.equal(rows.length, 1, 'the database survives');
  });
});
