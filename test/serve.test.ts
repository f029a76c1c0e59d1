/**
 * The `coffer serve` process as an operator meets it: the banner, /health, --listen, usage
 * errors, and a SIGTERM that lets in-flight requests finish before a clean exit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { dropPostgresSchema, startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { runCoffer } from './helpers/process.ts';
import { fileCleanups } from './helpers/file-cleanups.ts';
import { startRequest, type HeldRequest } from './helpers/held-request.ts';

const { cleanups, started } = fileCleanups();

function health(endpoint: string, agent: Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${endpoint}/health`, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

describe('a running server', () => {
  test('answers GET /health once it is ready, and prints how to reach it', async () => {
    const server = await started();
    const h = await health(server.endpoint);
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { status: 'ok' });
    const out = server.stdout();
    assert.match(out, new RegExp(`endpoint:\\s+${server.endpoint.replace(/[.]/g, '\\.')}\\n`));
    assert.match(out, /account id:\s+\d{12}\n/);
    assert.match(out, /regions:\s+us-east-1\n/);
    assert.match(out, /root credentials: access key AKIA\w+ from COFFER_ROOT_ACCESS_KEY_ID/);
    assert.ok(out.includes(`export AWS_ACCESS_KEY_ID=$COFFER_ROOT_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$COFFER_ROOT_SECRET_ACCESS_KEY AWS_REGION=us-east-1 AWS_ENDPOINT_URL=${server.endpoint}`));
    assert.ok(!out.includes(server.root.secretAccessKey) && !server.stderr().includes(server.root.secretAccessKey));
  });

  test('with generated root credentials, the banner names the file and the export line works with the AWS CLI', async () => {
    const server = await started({ root: null, args: ['--region', 'eu-central-1', '--region', 'us-west-2'] });
    const file = join(server.dataDir, 'root-credentials');
    const out = server.stdout();
    assert.match(out, /regions:\s+eu-central-1, us-west-2\n/);
    assert.ok(out.includes(`root credentials: ${file} (AWS credentials-file format, mode 0600)`));
    const exportLine = new RegExp(`export AWS_SHARED_CREDENTIALS_FILE=(\\S+) AWS_PROFILE=default AWS_REGION=eu-central-1 AWS_ENDPOINT_URL=${server.endpoint.replace(/[.]/g, '\\.')}\\n`).exec(out);
    assert.ok(exportLine, out);
    assert.equal(exportLine[1], file);
    // What the banner tells a user to export is enough for the CLI: no keys in the environment.
    const cli = await awsCli(server, ['secretsmanager', 'list-secrets', '--region', 'eu-central-1'], {
      env: { AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'default', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json.SecretList, []);
  });

  test('--listen HOST:PORT is where it listens; a port in use is refused with a message', async () => {
    const port = await freePort();
    const server = await started({ args: ['--listen', `127.0.0.1:${port}`] });
    assert.equal(server.endpoint, `http://127.0.0.1:${port}`);
    assert.equal((await health(server.endpoint)).status, 200);

    const dataDir = join(server.dataDir, 'second');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const busy = await runCoffer(['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--database', `sqlite://${join(dataDir, 'coffer.db')}`]);
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, new RegExp(`coffer: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
  });

  test('two deployments in separate databases run side by side and see only their own secrets', async () => {
    const [a, b] = await Promise.all([started(), started()]);
    await secretsManager(a).send(new CreateSecretCommand({ Name: 'serve/only-in-a', SecretString: 'a' }));
    const inB = await secretsManager(b).send(new ListSecretsCommand({}));
    assert.deepEqual(inB.SecretList, []);
  });
});

describe('usage', () => {
  test('--help names the default listen address 127.0.0.1:4599', async () => {
    for (const args of [['--help'], ['serve', '--help']]) {
      const r = await runCoffer(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /--listen HOST:PORT .*default 127\.0\.0\.1:4599/);
    }
  });

  test('usage errors exit 2 with a message naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--bogus', 'x'], /coffer: unknown option --bogus/],
      [['serve', '--region', 'mars-1'], /coffer: --region 'mars-1' is not a region name/],
      [['serve', '--account-id', '12345'], /coffer: --account-id must be 12 digits/],
      [['serve', '--account-id', '12345678901a'], /coffer: --account-id must be 12 digits/],
      [['serve', '--listen', 'localhost'], /coffer: --listen must be HOST:PORT, got 'localhost'/],
      [['serve', '--data-dir'], /coffer: --data-dir needs a value/],
      [['frobnicate'], /coffer: unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = await runCoffer(args);
      assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: coffer/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(r.stdout, '');
    }
  });
});

describe('SIGTERM', () => {
  test('lets in-flight requests finish, answers them, and exits 0', async () => {
    const server = await startServer();
    cleanups.push(async () => {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
      if (TEST_DATABASE === 'postgres') await dropPostgresSchema(server.databaseUrl);
    });
    const sm = secretsManager(server);
    const name = `serve/drain-${randomUUID()}`;
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'initial' }));

    // Keep-alive connections the server has accepted (each answered a request already).
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    cleanups.push(() => agent.destroy());
    await Promise.all(Array.from({ length: 8 }, () => health(server.endpoint, agent)));

    const put = (i: number) => ({ SecretId: name, ClientRequestToken: randomUUID(), SecretString: `drained-${i}` });
    // 1. Requests the server holds but cannot finish until their last byte arrives, which
    //    is sent only once the server is certainly draining.
    const held: HeldRequest[] = [];
    const heldInputs = Array.from({ length: 6 }, (_, i) => put(i));
    for (const input of heldInputs.slice(0, 3)) held.push(await startRequest(server, 'secretsmanager.PutSecretValue', input, { agent, hold: true }));
    for (const input of heldInputs.slice(3)) held.push(await startRequest(server, 'secretsmanager.PutSecretValue', input, { agent: false, hold: true }));
    // 2. A burst sent completely just before the signal: on idle keep-alive connections and
    //    on new ones.
    const burstInputs = Array.from({ length: 10 }, (_, i) => put(100 + i));
    const burst = await Promise.all(burstInputs.map((input, i) => startRequest(server, 'secretsmanager.PutSecretValue', input, { agent: i % 2 === 0 ? agent : false })));
    const reads = await Promise.all(Array.from({ length: 4 }, () => startRequest(server, 'secretsmanager.GetSecretValue', { SecretId: name }, { agent: false })));
    // Every byte has left this process (but the server may not have read it yet).
    await Promise.all([...held, ...burst, ...reads].map((r) => r.written));

    const exited = server.stop();
    // Wait until the server is draining: /health says so, or nothing listens any more.
    for (;;) {
      const h = await health(server.endpoint).catch(() => undefined);
      if (!h || h.status === 503) break;
    }
    for (const h of held) h.release();

    const responses = await Promise.all([...held, ...burst, ...reads].map((r) => r.response));
    for (const [i, r] of responses.entries()) assert.equal(r.status, 200, `request ${i}: ${r.status} ${r.body}`);
    const versionIds = responses.slice(0, held.length + burst.length).map((r) => r.json.VersionId as string);
    assert.deepEqual(versionIds, [...heldInputs, ...burstInputs].map((p) => p.ClientRequestToken));
    assert.equal(await exited, 0, server.stderr());
    assert.doesNotMatch(server.stderr(), /"level":50/, 'no errors logged');

    // Every answered write is there after a restart.
    const again = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root });
    cleanups.push(async () => { await again.stop(); });
    const listed = await secretsManager(again).send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    const stored = new Set((listed.Versions ?? []).map((v) => v.VersionId));
    for (const id of versionIds) assert.ok(stored.has(id), `acknowledged ${id} was lost`);
    assert.ok((await secretsManager(again).send(new GetSecretValueCommand({ SecretId: name }))).SecretString?.startsWith('drained-'));
  });
});
