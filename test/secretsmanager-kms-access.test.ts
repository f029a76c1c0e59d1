/**
 * Who may read and write a secret under a KMS key, and when the key itself refuses, through
 * the real clients: the caller needs kms:Decrypt (reads) or kms:GenerateDataKey (writes) on the
 * key as well as the secretsmanager action, granted by the key policy or by an IAM policy the
 * key policy delegates to, and a kms:ViaService condition lets it work only through Secrets
 * Manager. A disabled or pending-deletion key makes the value unreadable with AWS's errors
 * until it is usable again; key rotation keeps old versions readable; the data-key cache
 * never lets through what KMS would refuse now.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  CancelKeyDeletionCommand,
  CreateKeyCommand,
  DecryptCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  KMSClient,
  PutKeyPolicyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { DeleteUserPolicyCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { COFFER_BIN, type Credentials, type TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { failsAndChangesNothing, rejectsWith } from './helpers/secrets.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let kms: KMSClient;
let iam: IAMClient;

useServer((s, client) => {
  server = s;
  sm = client;
  kms = kmsClient(s.root);
  iam = iamClient(s);
});

const VIA_SM = 'secretsmanager.us-east-1.amazonaws.com';
const KMS_DENIED = 'Access to KMS is not allowed';
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const SM_ALL = { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' };

function kmsClient(credentials: Credentials): KMSClient {
  return new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

async function newKey(policy?: string): Promise<{ id: string; arn: string }> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Policy: policy }));
  return { id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
}

interface User { arn: string; credentials: Credentials; sm: SecretsManagerClient; kms: KMSClient }

async function user(name: string, policy?: string): Promise<User> {
  const made = await userWithKey(iam, name);
  if (policy) await setPolicy(name, policy);
  return { arn: made.arn, credentials: made.credentials, sm: secretsManager(server, { credentials: made.credentials }), kms: kmsClient(made.credentials) };
}

const setPolicy = (name: string, policy: string) => iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));

const read = async (client: SecretsManagerClient, SecretId: string, VersionId?: string) =>
  (await client.send(new GetSecretValueCommand({ SecretId, VersionId }))).SecretString;

/** DecryptionFailure / EncryptionFailure as AWS's service prints KMS's exception. */
function kmsFailure(verb: 'decrypt' | 'encrypt', keyArn: string, state: 'is disabled.' | 'is pending deletion.', code: string): RegExp {
  const arn = keyArn.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^Secrets Manager can't ${verb} the secret value: ${arn} ${state.replace('.', '\\.')} \\(Service: AWSKMS; Status Code: 400; Error Code: ${code}; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`);
}

describe('permission to use the key', () => {
  test('secretsmanager:GetSecretValue alone is refused on a customer managed key; an IAM policy with kms:ViaService grants it through Secrets Manager only', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/iam', KmsKeyId: key.arn, SecretString: 'guarded' }));
    const alice = await user('kms-alice', doc(SM_ALL));
    await rejectsWith(alice.sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/iam' })), 'AccessDeniedException', KMS_DENIED);

    await setPolicy('kms-alice', doc(SM_ALL, {
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn, Condition: { StringEquals: { 'kms:ViaService': VIA_SM } },
    }));
    assert.equal(await read(alice.sm, 'kms-access/iam'), 'guarded');

    // The same permission does not reach KMS directly: no kms:ViaService there.
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('direct') }));
    await rejectsWith(alice.kms.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException');
    // Without the condition it does.
    await setPolicy('kms-alice', doc(SM_ALL, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn }));
    assert.equal(Buffer.from((await alice.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'direct');
  });

  test('the key policy alone can grant it (naming the user, through Secrets Manager), with nothing about KMS in the user\'s policies', async () => {
    const bob = await user('kms-bob', doc(SM_ALL));
    const root = `arn:aws:iam::${server.accountId}:root`;
    const key = await newKey(doc(
      { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
    ));
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/key-policy', KmsKeyId: key.id, SecretString: 'by key policy' }));
    await rejectsWith(bob.sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/key-policy' })), 'AccessDeniedException', KMS_DENIED);
    await kms.send(new PutKeyPolicyCommand({
      KeyId: key.id, PolicyName: 'default',
      Policy: doc(
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Bob through Secrets Manager', Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': VIA_SM } } },
      ),
    }));
    assert.equal(await read(bob.sm, 'kms-access/key-policy'), 'by key policy');
  });

  test('an IAM policy counts only where the key policy delegates to the account', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/no-delegation', KmsKeyId: key.id, SecretString: 'delegated' }));
    const carol = await user('kms-carol', doc(SM_ALL, { Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    assert.equal(await read(carol.sm, 'kms-access/no-delegation'), 'delegated', 'the default key policy delegates to the account');
    // The account keeps administering the key, but no statement lets it (or IAM) decrypt.
    await kms.send(new PutKeyPolicyCommand({
      KeyId: key.id, PolicyName: 'default',
      Policy: doc({
        Sid: 'Administer only', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:Put*', 'kms:Enable*', 'kms:Disable*', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'], Resource: '*',
      }),
    }));
    await rejectsWith(carol.sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/no-delegation' })), 'AccessDeniedException', KMS_DENIED);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/no-delegation' })), 'AccessDeniedException', KMS_DENIED);
  });

  test('writing needs kms:GenerateDataKey: a refused PutSecretValue, UpdateSecret or CreateSecret changes nothing', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/write', KmsKeyId: key.arn, SecretString: 'before' }));
    const dave = await user('kms-dave', doc(SM_ALL, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn }));
    assert.equal(await read(dave.sm, 'kms-access/write'), 'before');
    await failsAndChangesNothing(sm, 'kms-access/write', () => dave.sm.send(new PutSecretValueCommand({ SecretId: 'kms-access/write', SecretString: 'after' })), 'AccessDeniedException', KMS_DENIED);
    await failsAndChangesNothing(sm, 'kms-access/write', () => dave.sm.send(new UpdateSecretCommand({ SecretId: 'kms-access/write', SecretString: 'after' })), 'AccessDeniedException', KMS_DENIED);
    // Choosing the key validates GenerateDataKey and Decrypt (SecretVersionId RequestToValidateKeyAccess).
    await rejectsWith(dave.sm.send(new CreateSecretCommand({ Name: 'kms-access/write-new', KmsKeyId: key.arn })), 'AccessDeniedException', KMS_DENIED);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/write-new' })), 'ResourceNotFoundException');

    await setPolicy('kms-dave', doc(SM_ALL, { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: key.arn, Condition: { StringEquals: { 'kms:EncryptionContext:SecretARN': (await sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/write' }))).ARN } } }));
    await dave.sm.send(new PutSecretValueCommand({ SecretId: 'kms-access/write', SecretString: 'after' }));
    assert.equal(await read(dave.sm, 'kms-access/write'), 'after');
  });

  test('an explicit deny on kms:Decrypt in an identity policy blocks the AWS managed key too', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/managed-deny', SecretString: 'managed' }));
    const erin = await user('kms-erin', doc(SM_ALL));
    assert.equal(await read(erin.sm, 'kms-access/managed-deny'), 'managed', 'the managed key\'s policy lets the account use it through Secrets Manager');
    await setPolicy('kms-erin', doc(SM_ALL, { Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }));
    await rejectsWith(erin.sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/managed-deny' })), 'AccessDeniedException', KMS_DENIED);
    await setPolicy('kms-erin', doc(SM_ALL, { Effect: 'Deny', Action: 'kms:GenerateDataKey', Resource: '*' }));
    await rejectsWith(erin.sm.send(new PutSecretValueCommand({ SecretId: 'kms-access/managed-deny', SecretString: 'x' })), 'AccessDeniedException', KMS_DENIED);
    assert.equal(await read(erin.sm, 'kms-access/managed-deny'), 'managed');
  });

  test('a condition on the encryption context sees SecretARN and SecretVersionId', async () => {
    const key = await newKey();
    const a = await sm.send(new CreateSecretCommand({ Name: 'kms-access/context-a', KmsKeyId: key.id, SecretString: 'a' }));
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/context-b', KmsKeyId: key.id, SecretString: 'b' }));
    const frank = await user('kms-frank', doc(SM_ALL, {
      Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn,
      Condition: { StringEquals: { 'kms:EncryptionContext:SecretARN': a.ARN, 'kms:EncryptionContext:SecretVersionId': a.VersionId } },
    }));
    assert.equal(await read(frank.sm, 'kms-access/context-a'), 'a');
    await rejectsWith(frank.sm.send(new GetSecretValueCommand({ SecretId: 'kms-access/context-b' })), 'AccessDeniedException', KMS_DENIED);
  });

  test('BatchGetSecretValue reports a refused key per secret and still returns the others', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/batch-cmk', KmsKeyId: key.id, SecretString: 'cmk' }));
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/batch-default', SecretString: 'default' }));
    const gina = await user('kms-gina', doc(SM_ALL));
    const out = await gina.sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['kms-access/batch-cmk', 'kms-access/batch-default'] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.SecretString), ['default']);
    assert.deepEqual(out.Errors, [{ SecretId: 'kms-access/batch-cmk', ErrorCode: 'AccessDeniedException', Message: KMS_DENIED }]);
  });

  test('the AWS CLI shows the same refusal', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-access/cli', KmsKeyId: key.id, SecretString: 'v' }));
    const hank = await user('kms-hank', doc(SM_ALL));
    const out = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'kms-access/cli'], { credentials: hank.credentials });
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /\(AccessDeniedException\) when calling the GetSecretValue operation: Access to KMS is not allowed/);
  });
});

describe('the key\'s state', () => {
  test('a disabled key makes the secret unreadable and unwritable with AWS\'s errors; enabling it restores it', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-state/disabled', KmsKeyId: key.id, SecretString: 'v1' }));
    assert.equal(await read(sm, 'kms-state/disabled'), 'v1');
    await kms.send(new DisableKeyCommand({ KeyId: key.id }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-state/disabled' })), 'DecryptionFailure', kmsFailure('decrypt', key.arn, 'is disabled.', 'DisabledException'));
    await failsAndChangesNothing(sm, 'kms-state/disabled', () => sm.send(new PutSecretValueCommand({ SecretId: 'kms-state/disabled', SecretString: 'v2' })),
      'EncryptionFailure', kmsFailure('encrypt', key.arn, 'is disabled.', 'DisabledException'));
    const cli = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'kms-state/disabled']);
    assert.match(cli.stderr, /\(DecryptionFailure\) when calling the GetSecretValue operation: Secrets Manager can't decrypt the secret value: .* is disabled\./);
    await kms.send(new EnableKeyCommand({ KeyId: key.id }));
    assert.equal(await read(sm, 'kms-state/disabled'), 'v1');
    await sm.send(new PutSecretValueCommand({ SecretId: 'kms-state/disabled', SecretString: 'v2' }));
    assert.equal(await read(sm, 'kms-state/disabled'), 'v2');
  });

  test('a key pending deletion: KMSInvalidStateException inside DecryptionFailure; cancelling and enabling restores it', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-state/pending', KmsKeyId: key.id, SecretString: 'v1' }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.id, PendingWindowInDays: 7 }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-state/pending' })), 'DecryptionFailure', kmsFailure('decrypt', key.arn, 'is pending deletion.', 'KMSInvalidStateException'));
    await rejectsWith(sm.send(new UpdateSecretCommand({ SecretId: 'kms-state/pending', SecretString: 'v2' })), 'EncryptionFailure', kmsFailure('encrypt', key.arn, 'is pending deletion.', 'KMSInvalidStateException'));
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.id }));
    // A cancelled deletion leaves the key disabled, as in AWS.
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-state/pending' })), 'DecryptionFailure', /is disabled\./);
    await kms.send(new EnableKeyCommand({ KeyId: key.id }));
    assert.equal(await read(sm, 'kms-state/pending'), 'v1');
  });

  test('choosing a disabled key is EncryptionFailure and changes nothing', async () => {
    const key = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: key.id }));
    await sm.send(new CreateSecretCommand({ Name: 'kms-state/choose', SecretString: 'v' }));
    await failsAndChangesNothing(sm, 'kms-state/choose', () => sm.send(new UpdateSecretCommand({ SecretId: 'kms-state/choose', KmsKeyId: key.id })),
      'EncryptionFailure', kmsFailure('encrypt', key.arn, 'is disabled.', 'DisabledException'));
  });

  test('key rotation keeps old versions readable, and new versions use the new material', async () => {
    const key = await newKey();
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'kms-state/rotated', KmsKeyId: key.id, SecretString: 'before rotation' }))).VersionId!;
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.id }));
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: 'kms-state/rotated', SecretString: 'after rotation' }))).VersionId!;
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.id }));
    assert.equal(await read(sm, 'kms-state/rotated', v1), 'before rotation');
    assert.equal(await read(sm, 'kms-state/rotated', v2), 'after rotation');
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'kms-state/rotated' }));
    for (const v of versions.Versions!) assert.deepEqual(v.KmsKeyIds, [key.arn]);
  });
});

describe('the data-key cache never outlives a refusal', () => {
  test('a read that just succeeded (its data key cached) is refused at once after the key is disabled or the permission removed', async () => {
    const key = await newKey();
    await sm.send(new CreateSecretCommand({ Name: 'kms-cache/secret', KmsKeyId: key.id, SecretString: 'cached' }));
    const ivy = await user('kms-ivy', doc(SM_ALL, { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.arn }));
    for (let i = 0; i < 3; i++) assert.equal(await read(ivy.sm, 'kms-cache/secret'), 'cached');

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'kms-ivy', PolicyName: 'p' }));
    await setPolicy('kms-ivy', doc(SM_ALL));
    await rejectsWith(ivy.sm.send(new GetSecretValueCommand({ SecretId: 'kms-cache/secret' })), 'AccessDeniedException', KMS_DENIED);

    assert.equal(await read(sm, 'kms-cache/secret'), 'cached');
    await kms.send(new DisableKeyCommand({ KeyId: key.id }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'kms-cache/secret' })), 'DecryptionFailure', /is disabled\./);
    await kms.send(new EnableKeyCommand({ KeyId: key.id }));
    assert.equal(await read(sm, 'kms-cache/secret'), 'cached');
  });
});


describe('across accounts', () => {
  const B = '210987654321';
  let b: SecretsManagerClient;

  before(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [COFFER_BIN, 'accounts', 'create', '--data-dir', server.dataDir, '--database', server.databaseUrl, '--account-id', B], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    });
    b = secretsManager(server, { credentials: {
      accessKeyId: /^aws_access_key_id = (\S+)$/m.exec(stdout)![1]!, secretAccessKey: /^aws_secret_access_key = (\S+)$/m.exec(stdout)![1]!,
    } });
  });

  const shareWithB = (SecretId: string, actions: string[]) => sm.send(new PutResourcePolicyCommand({
    SecretId, ResourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: actions, Resource: '*' }),
  }));

  test('another account reads a value under a customer managed key once the key policy lets it, not before', async () => {
    const key = await newKey();
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'kms-cross/read', KmsKeyId: key.arn, SecretString: 'shared' }));
    await shareWithB('kms-cross/read', ['secretsmanager:GetSecretValue']);
    await rejectsWith(b.send(new GetSecretValueCommand({ SecretId: ARN })), 'AccessDeniedException', KMS_DENIED);
    const root = `arn:aws:iam::${server.accountId}:root`;
    await kms.send(new PutKeyPolicyCommand({
      KeyId: key.id, PolicyName: 'default',
      Policy: doc(
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Account B decrypts', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'kms:Decrypt', Resource: '*' },
      ),
    }));
    assert.equal(await read(b, ARN!), 'shared');
  });

  test('a KmsKeyId without an account names a key of the caller\'s account, as KMS resolves it: another account\'s write fails', async () => {
    const key = await newKey();
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'kms-cross/bare-id', KmsKeyId: key.id, SecretString: 'v1' }));
    await shareWithB('kms-cross/bare-id', ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:ListSecretVersionIds']);
    await failsAndChangesNothing(sm, 'kms-cross/bare-id', () => b.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: 'v2' })), 'EncryptionFailure',
      new RegExp(`^Secrets Manager can't encrypt the secret value: Key 'arn:aws:kms:us-east-1:${B}:key/${key.id}' does not exist \\(Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`));
  });
});
