/**
 * No secret value, password, key, plaintext or token reaches the audit trail: calls across
 * every service carry unique markers (secret values, an IAM user's secret access key, a login
 * password, KMS plaintexts and data keys, an STS session token, a Lambda zip, environment
 * variable and payload), and neither the audit tables (every column of every row) nor the
 * --audit-file stream holds any of them, raw or base64. Also: service events (rotation, purge,
 * key deletion) are recorded as AWS logs them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand, DeleteSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand, PutSecretValueCommand, RotateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ChangePasswordCommand, CreateLoginProfileCommand, UpdateLoginProfileCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { kmsClient, eventually, makeDue } from './helpers/kms.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';
import { createRotationFunction, finishedAttempt } from './helpers/rotation.ts';
import { sql } from './helpers/db-rows.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';

let server: TestServer;
let sm: SecretsManagerClient;
const auditFile = join(mkdtempSync(join(tmpdir(), 'coffer-audit-')), 'audit.jsonl');
const mark = (what: string) => `${what}-${randomBytes(9).toString('hex')}`;

before(async () => {
  server = await startServer({ args: ['--audit-file', auditFile, '--audit-digest-interval', '0.5'] });
  sm = secretsManager(server);
});
after(() => server?.destroy());

/** Every column of every audit row, and the stream file, as one text. */
async function wholeTrail(): Promise<string> {
  const parts: string[] = [readFileSync(auditFile, 'utf8')];
  for (const table of ['audit_events', 'audit_digests']) {
    const { rows } = await sql(server, `select * from {schema}${table}`);
    parts.push(JSON.stringify(rows));
  }
  return parts.join('\n');
}

/** Polls until the trail (database and file) has caught up with `check`. */
async function trailHas(check: (text: string) => boolean, what: string): Promise<string> {
  return eventually(async () => { const t = await wholeTrail(); return check(t) ? t : undefined; }, what, 30_000);
}

describe('redaction across services', () => {
  const secrets: string[] = [];
  const remember = (...values: (string | Uint8Array | undefined)[]) => {
    for (const v of values) {
      if (v === undefined) continue;
      const buf = typeof v === 'string' ? Buffer.from(v) : Buffer.from(v);
      secrets.push(buf.toString('utf8'), buf.toString('base64'));
      if (typeof v !== 'string') secrets.push(buf.toString('hex'));
    }
  };

  before(async () => {
    // Secrets Manager: string and binary values, a generated password.
    const value = mark('secret-string');
    const binary = Buffer.from(mark('secret-binary'));
    remember(value, binary);
    await sm.send(new CreateSecretCommand({ Name: 'redact/one', SecretString: value }));
    await sm.send(new PutSecretValueCommand({ SecretId: 'redact/one', SecretBinary: binary }));
    await sm.send(new GetSecretValueCommand({ SecretId: 'redact/one' }));
    remember((await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40 }))).RandomPassword);

    // IAM: an access key's secret, a login password set, updated and changed.
    const iam = iamClient(server);
    const user = await userWithKey(iam, 'redact-user');
    remember(user.credentials.secretAccessKey);
    const pw1 = `${mark('Pw1')}Aa1!`;
    const pw2 = `${mark('Pw2')}Aa1!`;
    const pw3 = `${mark('Pw3')}Aa1!`;
    remember(pw1, pw2, pw3);
    await iam.send(new CreateLoginProfileCommand({ UserName: 'redact-user', Password: pw1 }));
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'redact-user', Password: pw2 }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'redact-user', PolicyName: 'pw', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ChangePassword', 'sts:GetSessionToken'], Resource: '*' }] }) }));
    await iamClient(server, user.credentials).send(new ChangePasswordCommand({ OldPassword: pw2, NewPassword: pw3 }));

    // KMS: plaintext in and out, a data key, random bytes.
    const kms = kmsClient(server);
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const plaintext = Buffer.from(mark('kms-plaintext'));
    remember(plaintext);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    remember(CiphertextBlob);
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }));
    remember(dataKey.Plaintext, dataKey.CiphertextBlob);
    remember((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }))).Plaintext);

    // STS: a session's secret key and token.
    const session = (await stsClient(server, user.credentials).send(new GetSessionTokenCommand({}))).Credentials!;
    remember(session.SecretAccessKey, session.SessionToken);

    // Lambda: code, an environment variable, an invocation's payload in and out.
    const lambda = lambdaClient(server);
    const role = await executionRole(iam, 'redact-fn-role');
    const codeMarker = mark('code');
    const zip = zipOf({ 'index.js': `${NODE_ECHO}// ${codeMarker}\n` });
    const envValue = mark('env');
    remember(zip, envValue);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'redact-fn', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip }, Environment: { Variables: { TOKEN: envValue } } }));
    const payloadMarker = mark('payload');
    remember(payloadMarker);
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'redact-fn', Payload: Buffer.from(JSON.stringify({ marker: payloadMarker })) }));
    assert.match(Buffer.from(out.Payload!).toString(), new RegExp(payloadMarker));
  });

  test('no value, password, key, plaintext or token in any audit row or the stream', async () => {
    const trail = await trailHas((t) => t.includes('"eventName":"Invoke"'), 'the Invoke event is written');
    for (const name of ['CreateSecret', 'PutSecretValue', 'GetSecretValue', 'GetRandomPassword', 'CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile', 'ChangePassword', 'Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateRandom', 'GetSessionToken', 'CreateFunction', 'Invoke']) {
      assert.ok(trail.includes(`"eventName":"${name}"`), `${name} is in the trail`);
    }
    assert.ok(secrets.length > 30);
    for (const s of secrets) assert.ok(!trail.includes(s), `the trail holds a secret (${s.slice(0, 12)}…)`);
  });

  test('what is kept is CloudTrail-shaped: names and ids, camelCase', async () => {
    const { rows } = await sql(server, `select event from {schema}audit_events where event_name = 'CreateAccessKey'`);
    const ct = JSON.parse(String(rows[0]!.event));
    assert.equal(ct.eventSource, 'iam.amazonaws.com');
    assert.equal(ct.requestParameters.userName, 'redact-user');
    assert.equal(ct.responseElements.accessKey.userName, 'redact-user');
    assert.match(ct.responseElements.accessKey.accessKeyId, /^AKIA/);
    assert.equal(ct.responseElements.accessKey.secretAccessKey, undefined);
    const { rows: sts } = await sql(server, `select event from {schema}audit_events where event_name = 'GetSessionToken'`);
    const st = JSON.parse(String(sts[0]!.event));
    assert.equal(st.readOnly, true);
    assert.equal(st.userIdentity.userName, 'redact-user');
  });
});

describe('service events', () => {
  test('RotationStarted and RotationSucceeded, as secretsmanager.amazonaws.com', async () => {
    const rotator = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: (arn) => S000_SINGLE_USER.replaceAll('<lambda_arn>', arn) });
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'redact/rotated', SecretString: JSON.stringify({ username: 'app', password: mark('before') }) }));
    await sm.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: rotator.arn }));
    assert.equal((await finishedAttempt(server, ARN!)).outcome, 'succeeded');
    await trailHas((t) => t.includes('"eventName":"RotationSucceeded"'), 'RotationSucceeded is written');
    const { rows } = await sql(server, `select event from {schema}audit_events where event_name in ('RotationStarted', 'RotationSucceeded') order by seq`);
    const [started, succeeded] = rows.map((r) => JSON.parse(String(r.event)));
    for (const e of [started, succeeded]) {
      assert.equal(e.eventType, 'AwsServiceEvent');
      assert.equal(e.eventSource, 'secretsmanager.amazonaws.com');
      assert.deepEqual(e.userIdentity, { type: 'AWSService', accountId: server.accountId, invokedBy: 'secretsmanager.amazonaws.com' });
      assert.equal(e.sourceIPAddress, 'secretsmanager.amazonaws.com');
      assert.deepEqual(e.additionalEventData, { SecretId: ARN });
      assert.equal(e.requestParameters, null);
      assert.equal(e.recipientAccountId, server.accountId);
    }
    assert.equal(started.eventName, 'RotationStarted');
    assert.equal(succeeded.eventName, 'RotationSucceeded');
  });

  test('a secret purged after its recovery window and a key deleted after its waiting period', async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'redact/purged', SecretString: mark('purged') }));
    await sm.send(new DeleteSecretCommand({ SecretId: ARN, RecoveryWindowInDays: 7 }));
    await sql(server, 'update {schema}secrets set deletion_date = $1 where arn = $2', [Date.now() - 1000, ARN]);
    const kms = kmsClient(server);
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await makeDue(server, key.KeyId!, 'deletion_date');
    await trailHas((t) => t.includes('"eventName":"DeleteKey"') && t.includes('"eventType":"AwsServiceEvent","managementEvent":true,"recipientAccountId"') && t.includes(`"SecretId":"${ARN}"}`), 'both service events are written');
    const { rows } = await sql(server, `select event from {schema}audit_events where event_name in ('DeleteSecret', 'DeleteKey')`);
    const events = rows.map((r) => JSON.parse(String(r.event)));
    const purged = events.find((e) => e.eventName === 'DeleteSecret' && e.eventType === 'AwsServiceEvent');
    assert.ok(purged, 'a DeleteSecret service event');
    assert.deepEqual(purged.additionalEventData, { SecretId: ARN });
    const deleted = events.find((e) => e.eventName === 'DeleteKey');
    assert.equal(deleted.eventType, 'AwsServiceEvent');
    assert.equal(deleted.eventSource, 'kms.amazonaws.com');
    assert.deepEqual(deleted.userIdentity, { type: 'AWSService', accountId: server.accountId, invokedBy: 'AWS Internal' });
    assert.deepEqual(deleted.resources, [{ accountId: server.accountId, type: 'AWS::KMS::Key', ARN: key.Arn }]);
    assert.deepEqual(deleted.serviceEventDetails, { keyId: key.KeyId });
  });

  test('a running node signs its chain head on its digest interval', async () => {
    const signed = await eventually(async () => {
      const { rows } = await sql(server, 'select max(seq) as seq from {schema}audit_digests');
      const { rows: events } = await sql(server, 'select max(seq) as seq from {schema}audit_events');
      return rows[0]!.seq !== null && Number(rows[0]!.seq) === Number(events[0]!.seq) ? Number(rows[0]!.seq) : undefined;
    }, 'a digest signs the newest event');
    assert.ok(signed > 10);
  });
});
