/**
 * The awsJson1.1 protocol as AWS speaks it: request ids on every answer, the error shape and
 * statuses, malformed bodies, wrong member types, constraint violations, unknown and missing
 * targets, oversized bodies. Every malformed request leaves the server's state as it was and
 * the server (and the connection) usable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { send, signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { allSecretNames, assertAwsError, assertHealthy, assertRequestId, JSON_TYPE, sendRaw, sign } from './helpers/wire.ts';

const MAX_BODY = 256 * 1024;

describe('awsJson1.1 protocol', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let baseline: string[];

  before(async () => {
    server = await startServer({ args: ['--max-body-bytes', String(MAX_BODY)] });
    sm = secretsManager(server);
    await sm.send(new CreateSecretCommand({ Name: 'protocol/existing', SecretString: 'original' }));
    baseline = await allSecretNames(sm);
  });
  after(() => server.destroy());

  async function unchanged(): Promise<void> {
    assert.deepEqual(await allSecretNames(sm), baseline);
    const value = await sm.send(new GetSecretValueCommand({ SecretId: 'protocol/existing' }));
    assert.equal(value.SecretString, 'original');
    await assertHealthy(server);
  }

  test('successes carry x-amzn-RequestId, the JSON 1.1 content type, and the SDK reports the same id', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.DescribeSecret', body: JSON.stringify({ SecretId: 'protocol/existing' }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], JSON_TYPE);
    assertRequestId(res);
    assert.equal(res.json.Name, 'protocol/existing');
    assert.equal(typeof res.json.CreatedDate, 'number', 'timestamps are epoch seconds');

    const out = await sm.send(new DescribeSecretCommand({ SecretId: 'protocol/existing' }));
    assert.match(out.$metadata.requestId!, /^[0-9a-f-]{36}$/);
    assert.ok(out.CreatedDate instanceof Date);
  });

  test('the health endpoint carries a request id too', async () => {
    const res = await send(server, 'GET', '/health', {}, '');
    assert.equal(res.status, 200);
    assertRequestId(res);
  });

  test('a modelled error: 400 ResourceNotFoundException, as the SDK shows it', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'protocol/missing' }) });
    assertAwsError(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    const err = await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'protocol/missing' })), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.match((err.$metadata as { requestId?: string }).requestId!, /^[0-9a-f-]{36}$/);
  });

  test('a body that is not JSON: SerializationException without a message', async () => {
    for (const body of ['{"Name": "protocol/broken", ', 'not json', '\u0000\u0001']) {
      const res = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body });
      assertAwsError(res, 400, 'SerializationException', null);
    }
    await unchanged();
  });

  test('JSON that is not an object: SerializationException', async () => {
    let res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '[]' });
    assertAwsError(res, 400, 'SerializationException', 'Start of list found where not expected');
    res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '"text"' });
    assertAwsError(res, 400, 'SerializationException', 'STRING_VALUE can not be converted to a Structure');
    res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '42' });
    assertAwsError(res, 400, 'SerializationException', 'NUMBER_VALUE can not be converted to a Structure');
    await unchanged();
  });

  test('members of the wrong JSON type: SerializationException that never echoes the value', async () => {
    const cases: [object, string][] = [
      [{ Name: 'protocol/t1', SecretString: 12345 }, 'NUMBER_VALUE cannot be converted to String'],
      [{ Name: 'protocol/t2', SecretString: { password: 'hunter2' } }, 'Start of structure or map found where not expected.'],
      [{ Name: 'protocol/t3', SecretString: 'v', Tags: { Key: 'k', Value: 'v' } }, 'Start of structure or map found where not expected.'],
      [{ Name: ['protocol/t4'], SecretString: 'v' }, 'Start of list found where not expected'],
      [{ Name: 'protocol/t5', SecretString: 'v', ForceOverwriteReplicaSecret: 'yes' }, 'STRING_VALUE can not be converted to a Boolean'],
      [{ Name: 'protocol/t6', SecretBinary: true }, 'TRUE_VALUE can not be converted to a Blob'],
    ];
    for (const [input, message] of cases) {
      const res = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body: JSON.stringify({ ClientRequestToken: crypto.randomUUID(), ...input }) });
      assertAwsError(res, 400, 'SerializationException', message);
      assert.doesNotMatch(res.body, /hunter2|12345/);
    }
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: JSON.stringify({ MaxResults: '10' }) });
    assertAwsError(res, 400, 'SerializationException', 'STRING_VALUE can not be converted to an Integer');
    const random = await signedRequest(server, { target: 'secretsmanager.GetRandomPassword', body: JSON.stringify({ PasswordLength: 1.5 }) });
    assertAwsError(random, 400, 'SerializationException', 'NUMBER_VALUE can not be converted to a Long');
    await unchanged();
  });

  test('constraint violations: ValidationException in AWS form, counted, sensitive values not echoed', async () => {
    let res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: JSON.stringify({ MaxResults: 0 }) });
    assertAwsError(res, 400, 'ValidationException', "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");

    res = await signedRequest(server, { target: 'secretsmanager.DescribeSecret', body: '{}' });
    assertAwsError(res, 400, 'ValidationException', "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");

    res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: JSON.stringify({ MaxResults: 0, SortOrder: 'sideways' }) });
    assertAwsError(res, 400, 'ValidationException', /^2 validation errors detected: Value '0' at 'maxResults' failed to satisfy constraint: [^;]+; Value 'sideways' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: \[asc, desc\]$/);

    const huge = 's'.repeat(65537);
    res = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body: JSON.stringify({ Name: 'protocol/too-big', SecretString: huge, ClientRequestToken: crypto.randomUUID() }) });
    assertAwsError(res, 400, 'ValidationException', "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536");
    assert.ok(!res.body.includes('ssssssssss'), 'the secret value is not echoed');
    await unchanged();
  });

  test('unknown operations and a missing target: 400 UnknownOperationException without a message', async () => {
    const targets = ['secretsmanager.DoesNotExist', 'secretsmanager.', 'nosuchservice.ListSecrets'];
    for (const target of targets) {
      const res = await signedRequest(server, { target, body: JSON.stringify({ SecretId: 'protocol/existing', AddReplicaRegions: [{ Region: 'eu-west-1' }] }) });
      assertAwsError(res, 400, 'UnknownOperationException', null);
    }
    const missing = await signedRequest(server, { body: '{}' });
    assertAwsError(missing, 400, 'UnknownOperationException', null);

    const get = await send(server, 'GET', '/', {}, '');
    assertAwsError(get, 400, 'UnknownOperationException', null);
    await unchanged();
  });

  test('an application/json Content-Type is served like application/x-amz-json-1.1', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200, res.body);
    assert.equal(res.headers['content-type'], JSON_TYPE);
  });

  test('a body over --max-body-bytes: 413, nothing created, the same connection still serves', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ok = await sendRaw(server, await sign(server, { target: 'secretsmanager.ListSecrets', body: '{}' }), { agent });
      assert.equal(ok.status, 200);
      const big = JSON.stringify({ Name: 'protocol/oversized', SecretString: 'x'.repeat(MAX_BODY), ClientRequestToken: crypto.randomUUID() });
      const res = await sendRaw(server, await sign(server, { target: 'secretsmanager.CreateSecret', body: big }), { agent });
      assertAwsError(res, 413, 'RequestEntityTooLargeException', `Request body is larger than ${MAX_BODY} bytes.`);
      const after = await sendRaw(server, await sign(server, { target: 'secretsmanager.ListSecrets', body: '{}' }), { agent });
      assert.equal(after.status, 200, after.body);
      assert.equal(after.reusedSocket, true, 'the kept-alive connection was reused');
    } finally {
      agent.destroy();
    }
    await unchanged();
  });

  test('the AWS SDK sees what an AWS user sees for a client error', async () => {
    const err = await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'protocol/existing', SecretString: 'again' })), 'ResourceExistsException');
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.equal((err as { $fault?: string }).$fault, 'client');
    assert.match(err.message, /protocol\/existing/);
    await unchanged();
  });

  test('a server configured with the endpoint in AWS_ENDPOINT_URL is found by the JS SDK', async () => {
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = server.endpoint;
    try {
      const client = new SecretsManagerClient({ region: 'us-east-1', credentials: server.root, maxAttempts: 1 });
      const out = await client.send(new ListSecretsCommand({}));
      assert.ok(out.SecretList!.some((s) => s.Name === 'protocol/existing'));
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
  });
});

describe('the default body limit', () => {
  test('is 1 MiB: a larger body gets 413 and the server goes on serving', async (t) => {
    const server = await startServer();
    t.after(() => server.destroy());
    const sm = secretsManager(server);
    const body = JSON.stringify({ Name: 'protocol/default-limit', SecretString: 'x'.repeat(1024 * 1024), ClientRequestToken: crypto.randomUUID() });
    const res = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body });
    assertAwsError(res, 413, 'RequestEntityTooLargeException', 'Request body is larger than 1048576 bytes.');
    assert.deepEqual(await allSecretNames(sm), []);
    await assertHealthy(server);
  });
});
