/**
 * Replication between regions served by one deployment (`--region` repeated): the replica has
 * the primary's name and suffix under its region's ARN, follows every change of the primary,
 * is read-only except for its KMS key (UpdateSecret in its region), can be removed or promoted;
 * ReplicationStatus, PrimaryRegion, the primary-region filter and the replication condition keys
 * behave as in AWS. Writes that change nothing a replica holds queue no push.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand,
  ListSecretVersionIdsCommand, PutSecretValueCommand, RemoveRegionsFromReplicationCommand, ReplicateSecretToRegionsCommand,
  StopReplicationToReplicaCommand, TagResourceCommand, UpdateSecretCommand, UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServer, clientTls, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith, token } from './helpers/secrets.ts';
import { eventually, replicaStatus } from './helpers/replication.ts';
import { sql } from './helpers/db-rows.ts';

const READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

describe('replication between two regions of one server', () => {
  let server: TestServer;
  let east: SecretsManagerClient;
  let west: SecretsManagerClient;

  before(async () => {
    server = await startServer({ args: ['--region', 'us-east-1,us-west-2,eu-west-1'], env: { COFFER_REPLICATION_INTERVAL_MS: '50' } });
    east = secretsManager(server, { region: 'us-east-1' });
    west = secretsManager(server, { region: 'us-west-2' });
  });
  after(() => server?.destroy());

  test('CreateSecret with AddReplicaRegions: the replica has the same name and suffix, its region\'s ARN and the value', async () => {
    const created = await east.send(new CreateSecretCommand({
      Name: 'rep/app', SecretString: 'v1', Description: 'the app', Tags: [{ Key: 'team', Value: 'blue' }], AddReplicaRegions: [{ Region: 'us-west-2' }],
    }));
    assert.deepEqual(created.ReplicationStatus, [{ Region: 'us-west-2', KmsKeyId: 'alias/aws/secretsmanager', Status: 'InProgress' }]);
    const status = await replicaStatus(east, 'rep/app', 'us-west-2', 'InSync');
    assert.equal(status.StatusMessage, 'Replication succeeded');
    const primary = await east.send(new DescribeSecretCommand({ SecretId: 'rep/app' }));
    assert.equal(primary.PrimaryRegion, 'us-east-1');

    const replica = await west.send(new DescribeSecretCommand({ SecretId: 'rep/app' }));
    assert.equal(replica.ARN, created.ARN!.replace(':us-east-1:', ':us-west-2:'));
    assert.equal(replica.Name, 'rep/app');
    assert.equal(replica.PrimaryRegion, 'us-east-1');
    assert.equal(replica.ReplicationStatus, undefined);
    assert.equal(replica.Description, 'the app');
    assert.deepEqual(replica.Tags, [{ Key: 'team', Value: 'blue' }]);
    assert.deepEqual(replica.VersionIdsToStages, primary.VersionIdsToStages);
    const value = await west.send(new GetSecretValueCommand({ SecretId: 'rep/app' }));
    assert.equal(value.SecretString, 'v1');
    assert.equal(value.ARN, replica.ARN);
    assert.equal(value.VersionId, created.VersionId);
  });

  test('new versions, labels, tags and the description follow the primary', async () => {
    const v2 = token();
    await east.send(new PutSecretValueCommand({ SecretId: 'rep/app', SecretString: 'v2', ClientRequestToken: v2 }));
    await east.send(new UpdateSecretVersionStageCommand({ SecretId: 'rep/app', VersionStage: 'blue', MoveToVersionId: v2 }));
    await east.send(new TagResourceCommand({ SecretId: 'rep/app', Tags: [{ Key: 'env', Value: 'prod' }] }));
    await east.send(new UpdateSecretCommand({ SecretId: 'rep/app', Description: 'changed' }));
    const primary = await east.send(new DescribeSecretCommand({ SecretId: 'rep/app' }));
    const replica = await eventually('the replica to follow', async () => {
      const r = await west.send(new DescribeSecretCommand({ SecretId: 'rep/app' }));
      return r.Description === 'changed' && r.Tags?.length === 2 ? r : undefined;
    });
    assert.deepEqual(replica.VersionIdsToStages, primary.VersionIdsToStages);
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/app' }))).SecretString, 'v2');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/app', VersionStage: 'AWSPREVIOUS' }))).SecretString, 'v1');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/app', VersionStage: 'blue' }))).VersionId, v2);
    await replicaStatus(east, 'rep/app', 'us-west-2', 'InSync');
  });

  test('a replica is read-only, and a primary with replicas cannot be deleted', async () => {
    await replicaStatus(east, 'rep/app', 'us-west-2', 'InSync');
    for (const call of [
      () => west.send(new PutSecretValueCommand({ SecretId: 'rep/app', SecretString: 'nope', ClientRequestToken: token() })),
      () => west.send(new UpdateSecretCommand({ SecretId: 'rep/app', Description: 'nope' })),
      () => west.send(new TagResourceCommand({ SecretId: 'rep/app', Tags: [{ Key: 'x', Value: 'y' }] })),
      () => west.send(new DeleteSecretCommand({ SecretId: 'rep/app', ForceDeleteWithoutRecovery: true })),
      () => west.send(new ReplicateSecretToRegionsCommand({ SecretId: 'rep/app', AddReplicaRegions: [{ Region: 'eu-west-1' }] })),
    ]) await rejectsWith(call(), 'InvalidParameterException', READ_ONLY, 400);
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/app' }))).SecretString, 'v2');
    const arn = (await east.send(new DescribeSecretCommand({ SecretId: 'rep/app' }))).ARN;
    await rejectsWith(east.send(new DeleteSecretCommand({ SecretId: 'rep/app' })), 'InvalidParameterException',
      `You can't delete secret ${arn} that still has replica regions [us-west-2].`);
  });

  test('ListSecrets: the primary-region filter finds primaries and replicas by their primary\'s region', async () => {
    await east.send(new CreateSecretCommand({ Name: 'rep/plain', SecretString: 'p' }));
    const names = async (sm: SecretsManagerClient, region: string) =>
      ((await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'primary-region', Values: [region] }] }))).SecretList ?? []).map((s) => s.Name).sort();
    assert.deepEqual(await names(east, 'us-east-1'), ['rep/app']);
    assert.deepEqual(await names(west, 'us-east-1'), ['rep/app']);
    assert.deepEqual(await names(west, 'us-west-2'), []);
    const listed = (await west.send(new ListSecretsCommand({}))).SecretList!.find((s) => s.Name === 'rep/app')!;
    assert.equal(listed.PrimaryRegion, 'us-east-1');
  });

  test('the AWS CLI replicates to a region under a customer managed key of that region', async () => {
    const kmsWest = new KMSClient({ endpoint: server.endpoint, region: 'eu-west-1', credentials: server.root, maxAttempts: 1, ...clientTls(server) });
    const key = (await kmsWest.send(new CreateKeyCommand({}))).KeyMetadata!;
    const r = await awsCli(server, ['secretsmanager', 'replicate-secret-to-regions', '--secret-id', 'rep/app',
      '--add-replica-regions', `Region=eu-west-1,KmsKeyId=${key.Arn}`], { region: 'us-east-1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.ARN, (await east.send(new DescribeSecretCommand({ SecretId: 'rep/app' }))).ARN);
    assert.deepEqual(r.json.ReplicationStatus.map((s: { Region: string }) => s.Region), ['eu-west-1', 'us-west-2']);
    assert.deepEqual(r.json.ReplicationStatus[0], { Region: 'eu-west-1', KmsKeyId: key.Arn, Status: 'InProgress' });
    await replicaStatus(east, 'rep/app', 'eu-west-1', 'InSync');
    const eu = secretsManager(server, { region: 'eu-west-1' });
    assert.equal((await eu.send(new GetSecretValueCommand({ SecretId: 'rep/app' }))).SecretString, 'v2');
    assert.equal((await eu.send(new DescribeSecretCommand({ SecretId: 'rep/app' }))).KmsKeyId, key.Arn);
    const versions = await eu.send(new ListSecretVersionIdsCommand({ SecretId: 'rep/app' }));
    for (const v of versions.Versions!) assert.deepEqual(v.KmsKeyIds, [key.Arn]);
  });

  test('a same-named secret in the region: Failed with a message, overwritten with ForceOverwriteReplicaSecret', async () => {
    await west.send(new CreateSecretCommand({ Name: 'rep/taken', SecretString: 'west own' }));
    await east.send(new CreateSecretCommand({ Name: 'rep/taken', SecretString: 'east', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    const failed = await replicaStatus(east, 'rep/taken', 'us-west-2', 'Failed');
    assert.equal(failed.StatusMessage, 'Replication failed: Secret name rep/taken already exists in region us-west-2.');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/taken' }))).SecretString, 'west own');
    await east.send(new ReplicateSecretToRegionsCommand({ SecretId: 'rep/taken', AddReplicaRegions: [{ Region: 'us-west-2' }], ForceOverwriteReplicaSecret: true }));
    await replicaStatus(east, 'rep/taken', 'us-west-2', 'InSync');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/taken' }))).SecretString, 'east');
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'rep/taken' }))).PrimaryRegion, 'us-east-1');
  });

  test('replicating to the primary\'s own region is refused', async () => {
    await rejectsWith(east.send(new ReplicateSecretToRegionsCommand({ SecretId: 'rep/plain', AddReplicaRegions: [{ Region: 'us-east-1' }] })),
      'InvalidParameterException', 'Invalid replica region.');
  });

  test('RemoveRegionsFromReplication deletes the replica at once', async () => {
    const out = await east.send(new RemoveRegionsFromReplicationCommand({ SecretId: 'rep/taken', RemoveReplicaRegions: ['us-west-2'] }));
    assert.deepEqual(out.ReplicationStatus, []);
    await rejectsWith(west.send(new DescribeSecretCommand({ SecretId: 'rep/taken' })), 'ResourceNotFoundException');
    const primary = await east.send(new DescribeSecretCommand({ SecretId: 'rep/taken' }));
    assert.equal(primary.PrimaryRegion, undefined);
    assert.equal(primary.ReplicationStatus, undefined);
    await east.send(new DeleteSecretCommand({ SecretId: 'rep/taken', ForceDeleteWithoutRecovery: true }));
  });

  test('StopReplicationToReplica in the replica\'s region promotes it to a standalone, writable secret', async () => {
    await east.send(new CreateSecretCommand({ Name: 'rep/promote', SecretString: 'one', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    await replicaStatus(east, 'rep/promote', 'us-west-2', 'InSync');
    await rejectsWith(east.send(new StopReplicationToReplicaCommand({ SecretId: 'rep/promote' })), 'InvalidRequestException');
    const out = await west.send(new StopReplicationToReplicaCommand({ SecretId: 'rep/promote' }));
    const promoted = await west.send(new DescribeSecretCommand({ SecretId: 'rep/promote' }));
    assert.equal(out.ARN, promoted.ARN);
    assert.equal(promoted.PrimaryRegion, undefined);
    await west.send(new PutSecretValueCommand({ SecretId: 'rep/promote', SecretString: 'two', ClientRequestToken: token() }));
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/promote' }))).SecretString, 'two');
    const primary = await east.send(new DescribeSecretCommand({ SecretId: 'rep/promote' }));
    assert.equal(primary.ReplicationStatus, undefined);
    await east.send(new PutSecretValueCommand({ SecretId: 'rep/promote', SecretString: 'three', ClientRequestToken: token() }));
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/promote' }))).SecretString, 'two');
  });

  test('condition keys: secretsmanager:AddReplicaRegions and secretsmanager:SecretPrimaryRegion', async () => {
    const iam = iamClient(server);
    const user = await userWithKey(iam, 'rep-user');
    await iam.send(new PutUserPolicyCommand({ UserName: 'rep-user', PolicyName: 'p', PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
        { Effect: 'Deny', Action: ['secretsmanager:ReplicateSecretToRegions', 'secretsmanager:CreateSecret'], Resource: '*',
          Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:AddReplicaRegions': 'us-west-2' } } },
        { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*',
          Condition: { StringEquals: { 'secretsmanager:SecretPrimaryRegion': 'us-east-1' } } },
      ],
    }) }));
    const eastUser = secretsManager(server, { region: 'us-east-1', credentials: user.credentials });
    const westUser = secretsManager(server, { region: 'us-west-2', credentials: user.credentials });
    await eastUser.send(new CreateSecretCommand({ Name: 'rep/cond', SecretString: 'c' }));
    await rejectsWith(eastUser.send(new ReplicateSecretToRegionsCommand({ SecretId: 'rep/cond', AddReplicaRegions: [{ Region: 'us-west-2' }] })), 'AccessDeniedException');
    await rejectsWith(eastUser.send(new CreateSecretCommand({ Name: 'rep/cond2', SecretString: 'c', AddReplicaRegions: [{ Region: 'us-west-2' }] })), 'AccessDeniedException');
    await rejectsWith(eastUser.send(new DescribeSecretCommand({ SecretId: 'rep/cond2' })), 'ResourceNotFoundException');
    // Reading a secret that is not replicated is allowed; once it is a primary in us-east-1, not.
    assert.equal((await eastUser.send(new GetSecretValueCommand({ SecretId: 'rep/cond' }))).SecretString, 'c');
    const out = await eastUser.send(new ReplicateSecretToRegionsCommand({ SecretId: 'rep/cond', AddReplicaRegions: [{ Region: 'eu-west-1' }] }));
    assert.equal(out.ReplicationStatus![0]!.Region, 'eu-west-1');
    await rejectsWith(eastUser.send(new GetSecretValueCommand({ SecretId: 'rep/cond' })), 'AccessDeniedException');
    await rejectsWith(westUser.send(new GetSecretValueCommand({ SecretId: 'rep/app' })), 'AccessDeniedException');
    assert.equal((await westUser.send(new GetSecretValueCommand({ SecretId: 'rep/promote' }))).SecretString, 'two');
  });

  test('UpdateSecret on a replica changes its KMS key (and nothing else); later pushes keep that key', async () => {
    const kmsWest = new KMSClient({ endpoint: server.endpoint, region: 'us-west-2', credentials: server.root, maxAttempts: 1, ...clientTls(server) });
    const westCmk = (await kmsWest.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await east.send(new CreateSecretCommand({ Name: 'rep/rekey', SecretString: 'k1', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    await replicaStatus(east, 'rep/rekey', 'us-west-2', 'InSync');
    const keysOnReplica = async () => (await west.send(new ListSecretVersionIdsCommand({ SecretId: 'rep/rekey' }))).Versions!.map((v) => v.KmsKeyIds);

    for (const call of [
      () => west.send(new UpdateSecretCommand({ SecretId: 'rep/rekey', KmsKeyId: westCmk, Description: 'and this' })),
      () => west.send(new UpdateSecretCommand({ SecretId: 'rep/rekey', KmsKeyId: westCmk, SecretString: 'and this', ClientRequestToken: token() })),
    ]) await rejectsWith(call(), 'InvalidParameterException', READ_ONLY, 400);
    assert.deepEqual(await keysOnReplica(), [['DefaultEncryptionKey']]);

    const out = await west.send(new UpdateSecretCommand({ SecretId: 'rep/rekey', KmsKeyId: westCmk }));
    assert.equal(out.ARN, (await west.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).ARN);
    assert.equal(out.VersionId, undefined);
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).KmsKeyId, westCmk);
    assert.deepEqual(await keysOnReplica(), [[westCmk]], 'the replica\'s value is re-wrapped under its new key');
    assert.equal((await west.send(new GetSecretValueCommand({ SecretId: 'rep/rekey' }))).SecretString, 'k1');
    // The primary is in this deployment: its ReplicationStatus shows the replica's key at once.
    const status = (await east.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).ReplicationStatus!;
    assert.deepEqual(status.map((r) => [r.Region, r.KmsKeyId, r.Status]), [['us-west-2', westCmk, 'InSync']]);
    // The primary's own key is untouched.
    assert.equal((await east.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).KmsKeyId, undefined);

    await east.send(new PutSecretValueCommand({ SecretId: 'rep/rekey', SecretString: 'k2', ClientRequestToken: token() }));
    await eventually('the new version on the replica', async () =>
      (await west.send(new GetSecretValueCommand({ SecretId: 'rep/rekey' }))).SecretString === 'k2' || undefined);
    await replicaStatus(east, 'rep/rekey', 'us-west-2', 'InSync');
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).KmsKeyId, westCmk);
    assert.deepEqual(await keysOnReplica(), [[westCmk], [westCmk]], 'pushes seal under the replica\'s own key');
    assert.equal((await east.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).ReplicationStatus![0]!.KmsKeyId, westCmk);

    // "" puts the replica back on its region's aws/secretsmanager.
    await west.send(new UpdateSecretCommand({ SecretId: 'rep/rekey', KmsKeyId: '' }));
    assert.equal((await west.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).KmsKeyId, undefined);
    assert.equal((await east.send(new DescribeSecretCommand({ SecretId: 'rep/rekey' }))).ReplicationStatus![0]!.KmsKeyId, 'alias/aws/secretsmanager');
    assert.deepEqual((await west.send(new ListSecretVersionIdsCommand({ SecretId: 'rep/rekey' }))).Versions!
      .find((v) => v.VersionStages?.includes('AWSCURRENT'))!.KmsKeyIds, ['DefaultEncryptionKey']);
  });

  test('writes that change nothing a replica holds queue no push: the replica stays InSync, its change counter unchanged', async () => {
    const request = { Name: 'rep/quiet', SecretString: 'q', ClientRequestToken: token(), AddReplicaRegions: [{ Region: 'us-west-2' }, { Region: 'eu-west-1' }] };
    const created = await east.send(new CreateSecretCommand(request));
    await replicaStatus(east, 'rep/quiet', 'us-west-2', 'InSync');
    await replicaStatus(east, 'rep/quiet', 'eu-west-1', 'InSync');
    const westArn = created.ARN!.replace(':us-east-1:', ':us-west-2:');
    const counters = async () => {
      const wanted = await sql(server, `SELECT r.wanted, r.synced FROM {schema}secret_replicas r JOIN {schema}secrets s ON s.id = r.secret_id
        WHERE s.arn = $1 AND r.region = 'us-west-2'`, [created.ARN]);
      const applied = await sql(server, 'SELECT a.change FROM {schema}replica_applied a JOIN {schema}secrets s ON s.id = a.secret_id WHERE s.arn = $1', [westArn]);
      return { wanted: Number(wanted.rows[0]!.wanted), synced: Number(wanted.rows[0]!.synced), applied: Number(applied.rows[0]!.change) };
    };
    const before = await counters();
    assert.equal(before.synced, before.wanted);
    assert.equal(before.applied, before.wanted);

    await east.send(new CreateSecretCommand(request)); // a retry: the same token and value
    await east.send(new RemoveRegionsFromReplicationCommand({ SecretId: 'rep/quiet', RemoveReplicaRegions: ['eu-west-1'] }));
    await west.send(new GetSecretValueCommand({ SecretId: 'rep/quiet' }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // several worker intervals
    assert.deepEqual(await counters(), before, 'no push was queued or made');
    assert.deepEqual((await east.send(new DescribeSecretCommand({ SecretId: 'rep/quiet' }))).ReplicationStatus!.map((r) => [r.Region, r.Status, r.StatusMessage]),
      [['us-west-2', 'InSync', 'Replication succeeded']]);

    // A change the replica holds: exactly one push.
    await east.send(new TagResourceCommand({ SecretId: 'rep/quiet', Tags: [{ Key: 'k', Value: 'v' }] }));
    await replicaStatus(east, 'rep/quiet', 'us-west-2', 'InSync');
    assert.deepEqual(await counters(), { wanted: before.wanted + 1, synced: before.wanted + 1, applied: before.wanted + 1 });
    assert.deepEqual((await west.send(new DescribeSecretCommand({ SecretId: 'rep/quiet' }))).Tags, [{ Key: 'k', Value: 'v' }]);
  });
});
