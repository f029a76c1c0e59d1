/**
 * The KMS permissions replication asks of its caller, as the ReplicateSecretToRegions API
 * reference lists them, through the real clients and a restricted IAM user: kms:Decrypt on a
 * primary's customer managed key; kms:GenerateDataKey and kms:Encrypt on a replica region's
 * customer managed key, through Secrets Manager in that region; nothing for AWS managed keys.
 * A refusal records nothing; once allowed, later pushes follow the primary without the caller.
 * UpdateSecret with KmsKeyId on a replica asks the same of the caller as on any secret.
 * Also: a region replication cannot reach is refused, and a CreateSecret retry answers with
 * the ReplicationStatus.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand,
  ReplicateSecretToRegionsCommand, UpdateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { DeleteUserPolicyCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { Credentials, TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { kmsClient } from './helpers/kms.ts';
import { rejectsWith, token } from './helpers/secrets.ts';
import { replicaStatus } from './helpers/replication.ts';

const KMS_DENIED = 'Access to KMS is not allowed';
const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const SM_ALL = { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' };
const via = (region: string) => ({ StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` } });

let server: TestServer;
let east: SecretsManagerClient;
let iam: IAMClient;

useServer((s, client) => {
  server = s;
  east = client;
  iam = iamClient(s);
}, { args: ['--region', 'us-east-1,us-west-2'], env: { COFFER_REPLICATION_INTERVAL_MS: '50' } });

async function newKey(region: string): Promise<string> {
  return (await kmsClient(server, undefined, region).send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
}

/** A user allowed every Secrets Manager action and, through `kms`, what each test grants. */
async function restrictedUser(name: string): Promise<{ sm: SecretsManagerClient; credentials: Credentials; grant: (...kms: object[]) => Promise<void> }> {
  const { credentials } = await userWithKey(iam, name);
  const grant = async (...kms: object[]) => {
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: doc(SM_ALL, ...kms) }));
  };
  await grant();
  return { sm: secretsManager(server, { region: 'us-east-1', credentials }), credentials, grant };
}

const replicasOf = async (secretId: string) => (await east.send(new DescribeSecretCommand({ SecretId: secretId }))).ReplicationStatus;

describe('KMS permissions of replication', () => {
  let primaryKey: string;
  let westKey: string;

  before(async () => {
    primaryKey = await newKey('us-east-1');
    westKey = await newKey('us-west-2');
  });

  test('an AWS managed key on both sides needs no KMS permission', async () => {
    const user = await restrictedUser('rep-kms-managed');
    await user.sm.send(new CreateSecretCommand({ Name: 'kms/managed', SecretString: 'm' }));
    const out = await user.sm.send(new ReplicateSecretToRegionsCommand({ SecretId: 'kms/managed', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    assert.deepEqual(out.ReplicationStatus, [{ Region: 'us-west-2', KmsKeyId: 'alias/aws/secretsmanager', Status: 'InProgress' }]);
    await replicaStatus(east, 'kms/managed', 'us-west-2', 'InSync');
  });

  test('a primary under a customer managed key: kms:Decrypt on it, through Secrets Manager in the primary\'s region', async () => {
    await east.send(new CreateSecretCommand({ Name: 'kms/primary', SecretString: 'p1', KmsKeyId: primaryKey }));
    const user = await restrictedUser('rep-kms-primary');
    const replicate = () => user.sm.send(new ReplicateSecretToRegionsCommand({ SecretId: 'kms/primary', AddReplicaRegions: [{ Region: 'us-west-2' }] }));

    await rejectsWith(replicate(), 'AccessDeniedException', KMS_DENIED, 400);
    assert.equal(await replicasOf('kms/primary'), undefined, 'nothing recorded');
    await user.grant({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: primaryKey, Condition: via('us-west-2') });
    await rejectsWith(replicate(), 'AccessDeniedException', KMS_DENIED);
    await user.grant({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: primaryKey, Condition: via('us-east-1') });
    await replicate();
    await replicaStatus(east, 'kms/primary', 'us-west-2', 'InSync');
    const west = secretsManager(server, { region: 'us-west-2' });
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'kms/primary' }))).SecretString, 'p1');
  });

  test('a replica under a customer managed key of its region: kms:GenerateDataKey and kms:Encrypt on it, through Secrets Manager there', async () => {
    await east.send(new CreateSecretCommand({ Name: 'kms/replica', SecretString: 'r1' }));
    const user = await restrictedUser('rep-kms-replica');
    const replicate = () => user.sm.send(new ReplicateSecretToRegionsCommand({ SecretId: 'kms/replica', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westKey }] }));

    await rejectsWith(replicate(), 'AccessDeniedException', KMS_DENIED, 400);
    await user.grant({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: westKey, Condition: via('us-west-2') });
    await rejectsWith(replicate(), 'AccessDeniedException', KMS_DENIED, 400);
    // Both actions, but through Secrets Manager in the primary's region: not the replica's key use.
    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: westKey, Condition: via('us-east-1') });
    await rejectsWith(replicate(), 'AccessDeniedException', KMS_DENIED, 400);
    assert.equal(await replicasOf('kms/replica'), undefined, 'nothing recorded');

    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: westKey, Condition: via('us-west-2') });
    const out = await replicate();
    assert.deepEqual(out.ReplicationStatus, [{ Region: 'us-west-2', KmsKeyId: westKey, Status: 'InProgress' }]);
    await replicaStatus(east, 'kms/replica', 'us-west-2', 'InSync');
    const west = secretsManager(server, { region: 'us-west-2' });
    const versions = await west.send(new ListSecretVersionIdsCommand({ SecretId: 'kms/replica' }));
    for (const v of versions.Versions!) assert.deepEqual(v.KmsKeyIds, [westKey]);

    // Later pushes are the service's own: the caller's KMS permissions are gone, the replica still follows.
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'rep-kms-replica', PolicyName: 'p' }));
    await east.send(new PutSecretValueCommand({ SecretId: 'kms/replica', SecretString: 'r2', ClientRequestToken: token() }));
    await replicaStatus(east, 'kms/replica', 'us-west-2', 'InSync');
    const value = await west.send(new GetSecretValueCommand({ SecretId: 'kms/replica' }));
    assert.equal(value.SecretString, 'r2');
  });

  test('CreateSecret with AddReplicaRegions under a key the caller may not use in the replica region: refused, nothing created', async () => {
    const user = await restrictedUser('rep-kms-create');
    await rejectsWith(user.sm.send(new CreateSecretCommand({ Name: 'kms/created', SecretString: 'c', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westKey }] })),
      'AccessDeniedException', KMS_DENIED, 400);
    await rejectsWith(east.send(new DescribeSecretCommand({ SecretId: 'kms/created' })), 'ResourceNotFoundException');
    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: westKey });
    const created = await user.sm.send(new CreateSecretCommand({ Name: 'kms/created', SecretString: 'c', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westKey }] }));
    assert.equal(created.ReplicationStatus?.[0]?.KmsKeyId, westKey);
    await replicaStatus(east, 'kms/created', 'us-west-2', 'InSync');
  });
});

describe('UpdateSecret with KmsKeyId on a replica', () => {
  test('the caller\'s KMS permissions are checked as for any secret, through Secrets Manager in the replica\'s region', async () => {
    const westKey = await newKey('us-west-2');
    await east.send(new CreateSecretCommand({ Name: 'kms/rekey', SecretString: 'r', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    await replicaStatus(east, 'kms/rekey', 'us-west-2', 'InSync');
    const user = await restrictedUser('rep-kms-rekey');
    const westUser = secretsManager(server, { region: 'us-west-2', credentials: user.credentials });
    const west = secretsManager(server, { region: 'us-west-2' });
    const rekey = () => westUser.send(new UpdateSecretCommand({ SecretId: 'kms/rekey', KmsKeyId: westKey }));
    const keys = async () => (await west.send(new ListSecretVersionIdsCommand({ SecretId: 'kms/rekey' }))).Versions!.map((v) => v.KmsKeyIds);

    await rejectsWith(rekey(), 'AccessDeniedException', KMS_DENIED, 400);
    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], Resource: westKey, Condition: via('us-east-1') });
    await rejectsWith(rekey(), 'AccessDeniedException', KMS_DENIED, 400);
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'kms/rekey' }))).KmsKeyId, undefined, 'nothing changed');

    // The validation (GenerateDataKey and Decrypt) but not kms:Encrypt: the key changes, the value stays where it is.
    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: westKey, Condition: via('us-west-2') });
    await rekey();
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'kms/rekey' }))).KmsKeyId, westKey);
    assert.deepEqual(await keys(), [['DefaultEncryptionKey']]);
    // With kms:Encrypt as well, asking again re-wraps it.
    await user.grant({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'], Resource: westKey, Condition: via('us-west-2') });
    await rekey();
    assert.deepEqual(await keys(), [[westKey]]);
    assert.equal((await westUser.send(new GetSecretValueCommand({ SecretId: 'kms/rekey' }))).SecretString, 'r');
    assert.equal((await replicasOf('kms/rekey'))![0]!.KmsKeyId, westKey);
  });
});

describe('replica regions', () => {
  test('a region neither served nor a peer: InvalidParameterException, nothing recorded', async () => {
    await east.send(new CreateSecretCommand({ Name: 'regions/plain', SecretString: 'x' }));
    await rejectsWith(east.send(new ReplicateSecretToRegionsCommand({ SecretId: 'regions/plain', AddReplicaRegions: [{ Region: 'us-west-2' }, { Region: 'ap-south-1' }] })),
      'InvalidParameterException', 'Invalid replica region.', 400);
    assert.equal(await replicasOf('regions/plain'), undefined);
    await rejectsWith(east.send(new CreateSecretCommand({ Name: 'regions/new', SecretString: 'x', AddReplicaRegions: [{ Region: 'eu-central-1' }] })),
      'InvalidParameterException', 'Invalid replica region.', 400);
    await rejectsWith(east.send(new DescribeSecretCommand({ SecretId: 'regions/new' })), 'ResourceNotFoundException');
  });

  test('a CreateSecret retry with the same token answers with the ReplicationStatus', async () => {
    const request = { Name: 'regions/retry', SecretString: 'once', ClientRequestToken: token(), AddReplicaRegions: [{ Region: 'us-west-2' }] };
    const first = await east.send(new CreateSecretCommand(request));
    await replicaStatus(east, 'regions/retry', 'us-west-2', 'InSync');
    const again = await east.send(new CreateSecretCommand(request));
    assert.equal(again.ARN, first.ARN);
    assert.equal(again.VersionId, first.VersionId);
    // The repeat changes nothing the replica holds, so it queues no push: the replica stays InSync.
    assert.deepEqual(again.ReplicationStatus, [{ Region: 'us-west-2', KmsKeyId: 'alias/aws/secretsmanager', Status: 'InSync', StatusMessage: 'Replication succeeded' }]);
    const plain = { Name: 'regions/retry-plain', SecretString: 'once', ClientRequestToken: token() };
    await east.send(new CreateSecretCommand(plain));
    assert.equal((await east.send(new CreateSecretCommand(plain))).ReplicationStatus, undefined, 'a secret without replicas has none');
  });
});
