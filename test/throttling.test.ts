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
import { CreateKeyCommand, GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateFunctionCommand, LambdaClient, ListFunctionsCommand, type TooManyRequestsException } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest, type RawResponse } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { kmsClient, otherAccount } from './helpers/kms.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';

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
        // KMS's symmetric cryptographic operations share this rate; ListKeys has its own.
        '--throttle-rate', 'kms:GenerateRandom=20',
        '--throttle-rate', 'kms:ListKeys=1',
        // Every Lambda control plane operation but GetFunction and GetPolicy shares this rate.
        '--throttle-rate', 'lambda:ListFunctions=1',
        // The STS operations called with credentials share this rate.
        '--throttle-rate', 'sts:GetCallerIdentity=10',
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

  test('KMS: 400 ThrottlingException with KMS\'s text in a lowercase `message`; the symmetric operations share one rate; the SDK retries', async () => {
    await sleep(1100);
    const KMS_TEXT = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';
    // Encrypt alone would have the 10,000/s default: refused here only because it shares GenerateRandom's bucket.
    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => signedRequest(server, {
      service: 'kms',
      target: i % 2 ? 'TrentService.Encrypt' : 'TrentService.GenerateRandom',
      body: i % 2 ? '{"KeyId":"alias/no-such-key","Plaintext":"AAAA"}' : '{"NumberOfBytes":8}',
    })));
    const refusedEncrypt = burst.find((r, i) => i % 2 === 1 && r.headers['x-amzn-errortype'] === 'ThrottlingException');
    assert.ok(refusedEncrypt, `some Encrypt calls were throttled: ${[...new Set(burst.map((r) => r.status))].join(', ')}`);
    assert.equal(refusedEncrypt.status, 400);
    // As AWS KMS writes it (KMS's model has no ThrottlingException shape; its members are lowercase).
    assert.equal(refusedEncrypt.body, JSON.stringify({ __type: 'ThrottlingException', message: KMS_TEXT }));
    await rejectsWith(Promise.all(Array.from({ length: 30 }, () => kmsClient(server).send(new GenerateRandomCommand({ NumberOfBytes: 8 })))), 'ThrottlingException', KMS_TEXT, 400);
    await sleep(1100);
    // 20 calls on a bucket of 5 refilled at 20/s, as for Secrets Manager above.
    const kms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    const outs = await Promise.all(Array.from({ length: 20 }, () => kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }))));
    assert.ok(outs.every((o) => o.Plaintext?.length === 8));
    assert.ok(outs.some((o) => (o.$metadata.attempts ?? 1) > 1), 'some calls were throttled and retried');
  });

  test('Lambda: 429 TooManyRequestsException with Reason and Retry-After; the control plane shares one rate; the SDK waits and succeeds', async () => {
    await sleep(1100);
    const get = (path: string) => signedRequest(server, { service: 'lambda', method: 'GET', path, headers: { 'content-type': 'application/json' } });
    assert.equal((await get('/2015-03-31/functions/')).status, 200);
    const refused = await get('/2015-03-31/functions/');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['x-amzn-errortype'], 'TooManyRequestsException');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.body, '{"Reason":"CallerRateLimitExceeded","Type":"User","message":"Rate exceeded"}');
    // ListTags draws on the same bucket (not found would be a 404).
    const tags = await get(`/2017-03-31/tags/${encodeURIComponent(`arn:aws:lambda:us-east-1:${server.accountId}:function:none`)}`);
    assert.equal(tags.status, 429);
    const err = await rejectsWith(lambdaClient(server).send(new ListFunctionsCommand({})), 'TooManyRequestsException', 'Rate exceeded', 429) as TooManyRequestsException;
    assert.equal(err.Reason, 'CallerRateLimitExceeded');
    assert.equal(err.Type, 'User');
    assert.equal(err.retryAfterSeconds, '1');
    await sleep(1100);
    // Default retries: the SDK waits the Retry-After second, by which time the bucket has a token.
    const lambda = new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    assert.equal((await lambda.send(new ListFunctionsCommand({}))).$metadata.attempts, 1);
    const second = await lambda.send(new ListFunctionsCommand({}));
    assert.ok(Array.isArray(second.Functions));
    assert.ok((second.$metadata.attempts ?? 1) >= 2, 'the second call was throttled and retried');
  });

  test('STS (awsQuery): <Code>Throttling</Code>; the signed operations share one rate; the STS SDK retries', async () => {
    await sleep(1100);
    const call = (action: string) => signedRequest(server, {
      service: 'sts', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: `Action=${action}&Version=2011-06-15`,
    });
    // GetSessionToken would have a 600/s rate of its own if it did not share GetCallerIdentity's.
    const burst = await Promise.all(Array.from({ length: 30 }, (_, i) => call(i % 2 ? 'GetSessionToken' : 'GetCallerIdentity')));
    const refused = burst.find((r, i): r is RawResponse => i % 2 === 1 && /<Code>Throttling<\/Code>/.test(r.body));
    assert.ok(refused, 'some GetSessionToken calls were throttled');
    assert.equal(refused.status, 400);
    assert.match(refused.body, /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>/);
    await rejectsWith(Promise.all(Array.from({ length: 30 }, () => stsClient(server).send(new GetCallerIdentityCommand({})))), 'Throttling', 'Rate exceeded', 400);
    await sleep(1100);
    // 8 calls on a bucket of 2.5 refilled at 10/s, as for IAM above.
    const sts = new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    const outs = await Promise.all(Array.from({ length: 8 }, () => sts.send(new GetCallerIdentityCommand({}))));
    assert.ok(outs.every((o) => o.Account === server.accountId));
    assert.ok(outs.some((o) => (o.$metadata.attempts ?? 1) > 1), 'some calls were throttled and retried');
  });

  test('AWS CLI: a throttled page fails with the service\'s code and text without retries, and is retried to success with them', async () => {
    // Two KMS keys and two functions, so `--page-size 1` makes the CLI call ListKeys and ListFunctions
    // twice in a row, the second time on an empty 1/s bucket. Set up with retrying clients.
    const kms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root });
    for (let i = 0; i < 2; i++) await kms.send(new CreateKeyCommand({}));
    const role = await executionRole(iamClient(server), 'throttled-function-role');
    const lambda = new LambdaClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root, maxAttempts: 5 });
    for (const name of ['throttled-a', 'throttled-b']) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zipOf({ 'index.js': NODE_ECHO }) } }));
    }
    const cases = [
      { args: ['kms', 'list-keys', '--page-size', '1'], error: /An error occurred \(ThrottlingException\) when calling the ListKeys operation \(reached max retries: 0\): You have exceeded the rate at which you may call KMS\. Reduce the frequency of your calls\./, items: 'Keys' },
      { args: ['lambda', 'list-functions', '--page-size', '1'], error: /An error occurred \(TooManyRequestsException\) when calling the ListFunctions operation \(reached max retries: 0\): Rate exceeded/, items: 'Functions' },
    ];
    for (const c of cases) {
      await sleep(1100);
      const once = await awsCli(server, c.args, { env: { AWS_MAX_ATTEMPTS: '1' } });
      assert.notEqual(once.code, 0, `${c.args.join(' ')} without retries: ${once.stdout}`);
      assert.match(once.stderr, c.error);
      await sleep(1100);
      // The CLI's standard retries back off at random (0–1 s, then 0–2 s, …): more attempts than
      // the default three keep the one-second refill from outlasting them by chance.
      const retried = await awsCli(server, ['--debug', ...c.args], { env: { AWS_MAX_ATTEMPTS: '10' } });
      assert.equal(retried.code, 0, `${c.args.join(' ')} with retries: ${retried.stderr.slice(-1500)}`);
      assert.equal(retried.json?.[c.items]?.length, 2);
      assert.match(retried.stderr, /Retry needed/, 'the CLI was throttled and retried');
    }
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
