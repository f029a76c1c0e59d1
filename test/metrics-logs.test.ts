/**
 * The JSON logs never hold a secret: a server at `debug` (its most talkative level: one line
 * per request) is driven through secrets, KMS plaintexts, access keys, passwords and session
 * tokens, successful and failing, then everything it wrote is searched for each value.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  BatchGetSecretValueCommand, CreateSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand, PutSecretValueCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { kmsClient } from './helpers/kms.ts';
import { iamClient, stsClient } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { signedRequest } from './helpers/raw.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ env: { COFFER_LOG_LEVEL: 'debug' } });
});
after(() => server?.destroy());

const marker = () => `logcheck-${randomBytes(12).toString('hex')}`;

test('nothing written to the logs holds a secret value, key, password or token', async () => {
  const sm = secretsManager(server);
  const kms = kmsClient(server);
  const iam = iamClient(server);
  const values: string[] = [server.root.secretAccessKey];

  const first = marker();
  const second = JSON.stringify({ username: 'app', password: marker() });
  const binary = randomBytes(48);
  values.push(first, second, JSON.parse(second).password, binary.toString('base64'));
  await sm.send(new CreateSecretCommand({ Name: 'logs/one', SecretString: first }));
  await sm.send(new CreateSecretCommand({ Name: 'logs/binary', SecretBinary: binary }));
  await sm.send(new PutSecretValueCommand({ SecretId: 'logs/one', SecretString: second }));
  await sm.send(new GetSecretValueCommand({ SecretId: 'logs/one' }));
  await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['logs/one', 'logs/binary', 'logs/missing'] }));
  values.push((await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40 }))).RandomPassword!);

  // Failing calls carry values too: a duplicate name, a value over the limit, a bad body, a bad signature.
  const refused = marker();
  values.push(refused);
  await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'logs/one', SecretString: refused })), 'ResourceExistsException');
  const tooLong = marker();
  values.push(tooLong);
  await rejectsWith(sm.send(new PutSecretValueCommand({ SecretId: 'logs/one', SecretString: tooLong + 'x'.repeat(70_000) })), 'ValidationException');
  const inBrokenBody = marker();
  values.push(inBrokenBody);
  const broken = await signedRequest(server, { target: 'secretsmanager.CreateSecret', body: `{"Name":"logs/broken","SecretString":"${inBrokenBody}"` });
  assert.equal(broken.status, 400);
  const badlySigned = marker();
  values.push(badlySigned);
  const wrong = secretsManager(server, { credentials: { accessKeyId: server.root.accessKeyId, secretAccessKey: 'wrong' } });
  await rejectsWith(wrong.send(new CreateSecretCommand({ Name: 'logs/unsigned', SecretString: badlySigned })), 'InvalidSignatureException');

  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const plaintext = Buffer.from(marker());
  values.push(plaintext.toString(), plaintext.toString('base64'));
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: plaintext }));
  await kms.send(new DecryptCommand({ CiphertextBlob }));
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
  values.push(Buffer.from(dataKey.Plaintext!).toString('base64'));

  await iam.send(new CreateUserCommand({ UserName: 'log-user' }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'log-user' }));
  values.push(AccessKey!.SecretAccessKey!);
  const password = `Pw-${marker()}!`;
  values.push(password);
  await iam.send(new CreateLoginProfileCommand({ UserName: 'log-user', Password: password }));
  const session = await stsClient(server, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! })
    .send(new GetSessionTokenCommand({}));
  values.push(session.Credentials!.SecretAccessKey!, session.Credentials!.SessionToken!);

  assert.equal(await server.stop(), 0);
  const written = server.stderr() + server.stdout();
  // The logs did run: a line per request, with the operation and outcome.
  assert.match(server.stderr(), /"event":"Request".*"operation":"GetSecretValue"/);
  assert.match(server.stderr(), /"operation":"CreateSecret","status":400,"errorCode":"ResourceExistsException"/);
  for (const value of values) assert.ok(!written.includes(value), `the logs hold a secret value (${value.slice(0, 12)}…)`);
});
