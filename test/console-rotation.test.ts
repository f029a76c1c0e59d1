// e2e: sqlite only — the console is a client of the API; everything it calls runs on both engines in the other tests.
/**
 * Rotation from the console in Chromium against the local PostgreSQL: the create wizard
 * stores database credentials and runs the one-call setup in the page (role, function from
 * the built-in template downloaded from /console/api/rotation-templates, permission,
 * RotateSecret) as the signed-in user; the rotation tab shows the attempt succeed step by step;
 * the password really changed (checked against pg_authid's SCRAM verifier, as local logins
 * are trusted); "Rotate now" runs another. The attempts API is authorized as DescribeSecret
 * and shows function output only to callers allowed logs:GetLogEvents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { DescribeSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { PG_ADMIN_URL, startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient } from './helpers/iam.ts';
import { openConsole, signInWithKeys, type ConsoleBrowser } from './helpers/browser.ts';
import { pgPasswordMatches } from './helpers/pg-password.ts';
import { fillDatabaseWizard, storeAndAwaitRotation, waitForSucceededAttempts } from './helpers/console-rotation.ts';

/** POST /console/api/rotation-attempts signed as `creds` (what the page's consoleApi does). */
async function attemptsApi(server: TestServer, creds: Credentials, body: unknown): Promise<{ status: number; json: any }> {
  const url = new URL(`${server.endpoint}/console/api/rotation-attempts`);
  const payload = JSON.stringify(body);
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'signin', sha256: Hash.bind(null, 'sha256') });
  const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, headers: { host: url.host, 'content-type': 'application/json' }, body: payload });
  const res = await fetch(url, { method: 'POST', headers: req.headers as Record<string, string>, body: payload });
  return { status: res.status, json: await res.json() };
}

describe('console rotation', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let admin: pg.Client;
  let b: ConsoleBrowser;
  const user = `coffer_console_${randomBytes(4).toString('hex')}`;
  const initial = `initial-${randomBytes(10).toString('hex')}`;
  let arn: string;

  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
    // Bounded, so a busy shared PostgreSQL fails this hook with a reason instead of hanging it.
    admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 30_000, query_timeout: 60_000 });
    await admin.connect();
    await admin.query(`create role "${user}" login password '${initial}'`);
    b = await openConsole(server);
    await signInWithKeys(b.page, server.root);
  });
  after(async () => {
    await b?.close();
    await admin?.query(`drop role if exists "${user}"`).catch(() => {});
    await admin?.end();
    await server?.destroy();
  });

  test('the wizard stores PostgreSQL credentials with rotation on, and the rotation tab shows it succeed', async () => {
    const page = b.page;
    await fillDatabaseWizard(page, server.endpoint, { engine: 'postgres', host: '127.0.0.1', user, password: initial, dbname: 'test', name: 'db/console-app', schedule: '30' });
    arn = await storeAndAwaitRotation(page, sm, 'db/console-app');
    await b.shot('rotation-succeeded');
    const now = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as { username: string; password: string };
    assert.equal(now.username, user);
    assert.notEqual(now.password, initial);
    assert.equal(await pgPasswordMatches(admin, user, now.password), true);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    assert.equal(described.RotationEnabled, true);
    assert.equal(described.RotationRules?.AutomaticallyAfterDays, 30);
  });

  test('"Rotate now" runs another rotation that succeeds', async () => {
    const page = b.page;
    const before = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as { password: string };
    await page.getByRole('button', { name: 'Rotate now' }).click();
    await page.getByText(/Rotation started: version/).waitFor();
    await waitForSucceededAttempts(page, 2);
    const after = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as { password: string };
    assert.notEqual(after.password, before.password);
    assert.equal(await pgPasswordMatches(admin, user, after.password), true);
  });

  test('the attempts API: DescribeSecret decides, function output needs logs:GetLogEvents', async () => {
    const root = await attemptsApi(server, server.root, { SecretId: 'db/console-app' });
    assert.equal(root.status, 200);
    assert.equal(root.json.arn, arn);
    assert.ok(root.json.attempts.length >= 2);
    assert.equal(root.json.logsReadable, true);
    for (const a of root.json.attempts) {
      assert.deepEqual(a.steps.map((s: { step: string }) => s.step), ['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      // No secret value in what the console is given.
      assert.equal(JSON.stringify(a).includes(initial), false);
    }
    const iam = iamClient(server);
    await iam.send(new CreateUserCommand({ UserName: 'watcher' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'watcher' }));
    const watcher = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const denied = await attemptsApi(server, watcher, { SecretId: arn });
    assert.equal(denied.status, 400);
    assert.equal(denied.json.code, 'AccessDeniedException');
    assert.match(denied.json.message, /is not authorized to perform: secretsmanager:DescribeSecret on resource: /);
    await iam.send(new PutUserPolicyCommand({
      UserName: 'watcher', PolicyName: 'describe',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: arn }] }),
    }));
    let allowed = await attemptsApi(server, watcher, { SecretId: arn });
    for (let i = 0; allowed.status !== 200 && i < 20; i++) allowed = await attemptsApi(server, watcher, { SecretId: arn });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.json.logsReadable, false);
    assert.ok(allowed.json.attempts.every((a: { details?: unknown }) => a.details === undefined));
    const bad = await attemptsApi(server, watcher, { SecretId: arn, Limit: 0 });
    assert.equal(bad.status, 400);
  });
});
