// e2e: sqlite only — buckets are in memory per node, in front of storage.
/**
 * Throttling: per-account, per-operation token buckets with AWS's throttling errors per
 * protocol, so the SDKs classify them as throttles, back off and succeed; refused requests
 * are answered at once, so the node stays responsive under a flood.
 */
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { GetRandomPasswordCommand, ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { GenerateRandomCommand } from '@aws-sdk/client-kms';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { kmsClient, otherAccount } from './helpers/kms.ts';
import { lambdaClient } from './helpers/lambda.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('throttling', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      args: [
        // A quarter second of each rate: buckets of 1 to 5 tokens, emptied by a burst of concurrent calls.
        '--throttle-burst', '0.25',
        '--throttle-rate', 'secretsmanager:GetRandomPassword=20',
        '--throttle-rate', 'secretsmanager:ListSecrets=1',
        '--throttle-rate', 'iam:ListUsers=10',
        '--throttle-rate', 'kms:GenerateRandom=1',
        '--throttle-rate', 'lambda:ListFunctions=1',
      ],
    });
  });
  after(() => server?.destroy());

  test('awsJson: over the rate, 400 ThrottlingException "Rate exceeded"; under it again after the bucket refills', async () => {
    const call = () => signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}' });
    assert.equal((await call()).status, 200);
    const refused = await call();
    assert.equal(refused.status, 400);
    assert.equal(refused.headers['x-amzn-errortype'], 'ThrottlingException');
    // AWS's throttling layer writes `message` in lowercase, unlike the services' own errors (`Message`).
    assert.equal(refused.body, '{"__type":"ThrottlingException","message":"Rate exceeded"}');
    const notFound = await signedRequest(server, { target: 'secretsmanager.DescribeSecret', body: '{"SecretId":"no/such"}' });
    assert.equal(notFound.json.__type, 'ResourceNotFoundException');
    assert.equal(typeof notFound.json.Message, 'string');
    assert.equal(notFound.json.message, undefined);
    await sleep(1100);
    assert.equal((await call()).status, 200);
  });

  test('an SDK client with its default retries backs off and succeeds under a low limit', async () => {
    // More calls at once than the bucket holds: the refused ones retry (the SDK's backoff spreads
    // them over a second or two) while the bucket refills at 20 a second.
    const sm = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    // 20 calls on a bucket of 5 refilled at 20/s: the last need ~0.75 s, well inside the SDK's
    // three attempts (throttling backoff 0–1 s, then 0–2 s) even on a busy machine.
    const outs = await Promise.all(Array.from({ length: 20 }, () => sm.send(new GetRandomPasswordCommand({ PasswordLength: 12 }))));
    assert.ok(outs.every((o) => o.RandomPassword?.length === 12));
    assert.ok(outs.some((o) => (o.$metadata.attempts ?? 1) > 1), 'some calls were throttled and retried');
    // Without retries the same burst is refused.
    const once = secretsManager(server);
    await rejectsWith(Promise.all(Array.from({ length: 60 }, () => once.send(new GetRandomPasswordCommand({})))), 'ThrottlingException', 'Rate exceeded', 400);
  });

  test('the bucket is the caller account\'s: an IAM user shares its account\'s, another account has its own', async () => {
    const user = await userWithKey(iamClient(server), 'throttled-user');
    const other = await otherAccount(server, '210987654321');
    await sleep(1100);
    const root = secretsManager(server);
    await root.send(new ListSecretsCommand({}));
    await rejectsWith(root.send(new ListSecretsCommand({})), 'ThrottlingException');
    // The user's own first call: its account's bucket is empty.
    await rejectsWith(secretsManager(server, { credentials: user.credentials }).send(new ListSecretsCommand({})), 'ThrottlingException');
    const otherOut = await secretsManager(server, { credentials: other }).send(new ListSecretsCommand({}));
    assert.ok(Array.isArray(otherOut.SecretList));
  });

  test('awsQuery (IAM): <Code>Throttling</Code>, and the IAM SDK retries it', async () => {
    const iam = iamClient(server);
    await sleep(1100);
    await rejectsWith(Promise.all(Array.from({ length: 40 }, () => iam.send(new ListUsersCommand({})))), 'Throttling', 'Rate exceeded', 400);
    // The bucket refills at 10 a second: a burst of raw calls has refused ones.
    const burst = await Promise.all(Array.from({ length: 40 }, () => signedRequest(server, {
      service: 'iam', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=ListUsers&Version=2010-05-08',
    })));
    const raw = burst.find((r) => r.status !== 200);
    assert.ok(raw, 'some raw calls were refused');
    assert.equal(raw.status, 400);
    assert.match(raw.body, /<Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error>/);
    await sleep(1100);
    const retrying = new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    // 8 calls on a bucket of 2.5 refilled at 10/s: the last need ~0.55 s (see above).
    const outs = await Promise.all(Array.from({ length: 8 }, () => retrying.send(new ListUsersCommand({}))));
    assert.ok(outs.every((o) => Array.isArray(o.Users)));
    assert.ok(outs.some((o) => (o.$metadata.attempts ?? 1) > 1), 'some calls were throttled and retried');
  });

  test('KMS answers ThrottlingException with its own text; Lambda 429 TooManyRequestsException', async () => {
    await sleep(1100);
    const kms = kmsClient(server);
    await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
    await rejectsWith(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 })), 'ThrottlingException',
      'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.', 400);
    const lambda = lambdaClient(server);
    await lambda.send(new ListFunctionsCommand({}));
    await rejectsWith(lambda.send(new ListFunctionsCommand({})), 'TooManyRequestsException', 'Rate exceeded', 429);
  });

  test('under a flood of throttled requests every one is answered and /health stays quick', async () => {
    const flood = Array.from({ length: 300 }, () => signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}' }));
    const started = performance.now();
    const health = await new Promise<number>((resolve, reject) => {
      request(`${server.endpoint}/health`, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject).end();
    });
    const healthMs = performance.now() - started;
    assert.equal(health, 200);
    assert.ok(healthMs < 5000, `/health took ${healthMs.toFixed(0)} ms`);
    const statuses = (await Promise.all(flood)).map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 400), `statuses: ${[...new Set(statuses)].join(', ')}`);
    assert.ok(statuses.filter((s) => s === 400).length >= 290, 'the flood is refused, not queued');
  });
});

test('--throttle off serves every request; a bad --throttle-rate is refused with a usage error', async () => {
  const server = await startServer({ args: ['--throttle', 'off', '--throttle-rate', 'secretsmanager:ListSecrets=1'] });
  try {
    const results = await Promise.all(Array.from({ length: 10 }, () => signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}' })));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(200));
  } finally {
    await server.destroy();
  }
  await assert.rejects(startServer({ args: ['--throttle-rate', 'GetSecretValue=5'] }), /--throttle-rate must be SERVICE:OPERATION=RATE/);
});
