// e2e: sqlite only — the console is a client of the API; everything it calls runs on both engines in the other tests.
/**
 * MySQL/MariaDB rotation set up from the console in Chromium, against the machine's MariaDB
 * (127.0.0.1:3306, which checks passwords, so a sign-in proves which password is live):
 *  - the create wizard with engine "MySQL / MariaDB" (port 3306 filled in) stores the
 *    credentials with rotation on; the one-call setup runs in the page as the signed-in user
 *    and the first rotation succeeds; the new password signs in, the first one is refused;
 *  - "Rotate now" rotates again, with the same proof;
 *  - an existing `mariadb` secret without `masterarn` gets alternating-users rotation from its
 *    rotation tab, the master secret picked from the list (the page writes it into the value
 *    as `masterarn`): `<user>_clone` is created with the user's grants and takes over.
 * Every database, user and grant is this file's own and is dropped afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { explained, openConsole, signInWithKeys, type ConsoleBrowser } from './helpers/browser.ts';
import { fillDatabaseWizard, storeAndAwaitRotation, waitForSucceededAttempts } from './helpers/console-rotation.ts';

const HOST = '127.0.0.1';
const PORT = 3306;
const hex = (n: number) => randomBytes(n).toString('hex');
const q = (name: string) => '`' + name.replace(/`/g, '``') + '`';

/**
 * Signs in to MariaDB as `user` into `database` and reads the canary table: the rows' count,
 * or the server's refusal ("Access denied for user …").
 */
async function signIn(user: string, password: string, database: string): Promise<number | string> {
  const conn = await mysql.createConnection({ host: HOST, port: PORT, user, password, database, connectTimeout: 10_000 }).catch((err: Error) => err.message);
  if (typeof conn === 'string') return conn;
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM canary');
    return Number(rows[0]!.n);
  } finally {
    await conn.end();
  }
}

describe('console rotation: MySQL/MariaDB', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let root: mysql.Connection;
  let b: ConsoleBrowser;
  const db = `coffer_console_${hex(4)}`;
  const user = `cm_${hex(4)}`;
  const initial = `initial-${hex(10)}`;
  const drops: string[] = [`DROP DATABASE IF EXISTS ${q(db)}`];
  let arn: string;

  /** A user allowed everything on this file's database (and more with `extra`). */
  async function createUser(name: string, password: string, extra?: string): Promise<void> {
    drops.unshift(`DROP USER IF EXISTS ${q(name)}@'%'`, `DROP USER IF EXISTS ${q(name + '_clone')}@'%'`);
    await root.query(`CREATE USER ${q(name)}@'%' IDENTIFIED BY '${password}'`);
    await root.query(`GRANT ALL PRIVILEGES ON ${q(db)}.* TO ${q(name)}@'%'`);
    if (extra) await root.query(`GRANT ${extra} TO ${q(name)}@'%' WITH GRANT OPTION`);
  }
  const value = async (id: string) => JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!) as Record<string, string | number>;

  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
    root = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', connectTimeout: 30_000 });
    await root.query(`CREATE DATABASE ${q(db)}`);
    await root.query(`CREATE TABLE ${q(db)}.canary (v int)`);
    await root.query(`INSERT INTO ${q(db)}.canary VALUES (1), (2)`);
    await createUser(user, initial);
    b = await openConsole(server);
    await signInWithKeys(b.page, server.root);
  });
  after(async () => {
    await b?.close();
    for (const stmt of drops) await root?.query(stmt).catch(() => undefined);
    await root?.end();
    await server?.destroy();
  });

  test('the wizard stores MySQL/MariaDB credentials with rotation on; the new password works, the old one is refused', async () => {
    const page = b.page;
    await fillDatabaseWizard(page, server.endpoint, { engine: 'mysql', host: HOST, user, password: initial, dbname: db, name: 'db/console-mysql', schedule: '30' });
    // Port 3306: choosing the engine replaced PostgreSQL's default port.
    await page.getByText(`Database credentials (MySQL/MariaDB, ${user}@${HOST}:3306)`).waitFor();
    await page.getByText('mysql-single-user, 30').waitFor();
    await b.shot('mysql-review');
    arn = await storeAndAwaitRotation(page, sm, 'db/console-mysql');
    await b.shot('mysql-rotation-succeeded');

    const now = await value(arn);
    assert.deepEqual({ engine: now.engine, host: now.host, port: now.port, username: now.username, dbname: now.dbname }, { engine: 'mysql', host: HOST, port: 3306, username: user, dbname: db });
    assert.notEqual(now.password, initial);
    assert.equal(await signIn(user, String(now.password), db), 2, 'the rotated password signs in and reads the database');
    assert.match(String(await signIn(user, initial, db)), /Access denied for user/, 'the first password is refused');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    assert.equal(described.RotationEnabled, true);
    assert.equal(described.RotationRules?.AutomaticallyAfterDays, 30);
    assert.match(described.RotationLambdaARN ?? '', /:function:SecretsManager-db-console-mysql-/);
  });

  test('"Rotate now" rotates the MySQL/MariaDB password again', async () => {
    const page = b.page;
    const before = await value(arn);
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(/Rotation started: version/).waitFor();
    await waitForSucceededAttempts(page, 2);
    const after = await value(arn);
    assert.notEqual(after.password, before.password);
    assert.equal(await signIn(user, String(after.password), db), 2);
    assert.match(String(await signIn(user, String(before.password), db)), /Access denied for user/);
    // The tab's setup form starts from the function's template.
    assert.equal(await page.getByLabel('Database engine').inputValue(), 'mysql');
    await b.shot('mysql-rotate-now');
  });

  test("alternating users from an existing secret's rotation tab: the clone takes over with the user's grants", async () => {
    const page = b.page;
    const master = `cmm_${hex(4)}`;
    const app = `cma_${hex(4)}`;
    const masterPassword = `master-${hex(10)}`;
    const appPassword = `app-${hex(10)}`;
    // The master creates the clone and hands it the user's grants (as an RDS master user can).
    await createUser(master, masterPassword, 'ALL PRIVILEGES ON *.*');
    await createUser(app, appPassword);
    const masterArn = (await sm.send(new CreateSecretCommand({ Name: 'db/console-mysql-master', SecretString: JSON.stringify({ engine: 'mariadb', host: HOST, port: PORT, username: master, password: masterPassword }) }))).ARN!;
    const appArn = (await sm.send(new CreateSecretCommand({ Name: 'db/console-mysql-app', SecretString: JSON.stringify({ engine: 'mariadb', host: HOST, port: PORT, username: app, password: appPassword, dbname: db }) }))).ARN!;

    await page.goto(`${server.endpoint}/console/#/secrets/${encodeURIComponent(appArn)}?tab=rotation`);
    await page.getByRole('tab', { name: 'Rotation', selected: true }).waitFor();
    await page.getByText('No rotation attempts yet.').waitFor();
    // Nothing of the secret opened before carries over (its "Rotation started" notice, its form).
    assert.equal(await page.getByText(/Rotation started: version/).count(), 0);
    assert.equal(await page.getByLabel('Database engine').inputValue(), 'postgres');
    await page.getByLabel('Database engine').selectOption('mysql');
    await page.getByLabel('Rotation strategy').selectOption('alternating-users');
    await page.getByLabel('Master secret').selectOption(masterArn);
    await page.getByLabel('Schedule').fill('rate(10 days)');
    await page.getByRole('button', { name: 'Set up rotation' }).click();
    await explained(page, 'alternating-setup', () => page.getByTestId('setup-result').waitFor());
    // The value had no masterarn: the page wrote the chosen master there first.
    await page.getByTestId('setup-result').getByText(/updated secret value: .*masterarn set/).waitFor();
    await waitForSucceededAttempts(page, 1);
    await b.shot('mysql-alternating-succeeded');

    const now = await value(appArn);
    assert.equal(now.username, `${app}_clone`);
    assert.equal(now.masterarn, masterArn);
    assert.equal(now.password === appPassword, false);
    assert.equal(await signIn(`${app}_clone`, String(now.password), db), 2, 'the clone signs in and reads what the user could');
    assert.equal(await signIn(app, appPassword, db), 2, 'the previous user keeps working until the next rotation');
    const described = await sm.send(new DescribeSecretCommand({ SecretId: appArn }));
    assert.equal(described.RotationRules?.ScheduleExpression, 'rate(10 days)');
  });
});
