/**
 * Replication between two deployments (two servers, two databases) sharing one account id:
 * the primary's worker pushes to the peer declared with --peer-region, signing with the
 * replicator credential the operator gave it; the peer accepts only the principal it trusts
 * (--replication-trust), and, for a replica under a customer managed key there, only once that
 * principal may use the key; a replica whose key was changed there keeps it. A peer that is down
 * is retried until InSync; a replica promoted in
 * the peer's region is forgotten by the primary. Over HTTPS, a peer's private CA is trusted with --peer-ca.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand,
  StopReplicationToReplicaCommand, UpdateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { clientTls, dropPostgresSchema, startServer, TEST_DATABASE, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { userWithKey } from './helpers/iam.ts';
import { rejectsWith, token } from './helpers/secrets.ts';
import { eventually, replicaStatus } from './helpers/replication.ts';
import { signedRequest } from './helpers/raw.ts';

const ACCOUNT = '246813579024';
const REPLICATOR = `arn:aws:iam::${ACCOUNT}:user/coffer-replicator`;
const READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** The replication user of the documented setup: only ReplicateSecretToRegions, in its deployment. */
async function replicator(server: TestServer, region: string): Promise<Credentials> {
  // Signed for the one region the deployment serves (IAM is global, so any served region will do).
  const iam = new IAMClient({ endpoint: server.endpoint, region, credentials: server.root, maxAttempts: 1, ...clientTls(server) });
  const user = await userWithKey(iam, 'coffer-replicator');
  assert.equal(user.arn, REPLICATOR);
  await iam.send(new PutUserPolicyCommand({ UserName: 'coffer-replicator', PolicyName: 'replication', PolicyDocument: JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ReplicateSecretToRegions', Resource: `arn:aws:secretsmanager:*:${ACCOUNT}:secret:*` }],
  }) }));
  return user.credentials;
}

function credentialsFile(dir: string, region: string, c: Credentials): string {
  const path = join(dir, `peer-${region}`);
  writeFileSync(path, `[${region}]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\n`, { mode: 0o600 });
  return path;
}

describe('replication between two deployments', () => {
  let east: TestServer;
  let west: TestServer;
  let westPort: number;
  let eastPort: number;
  let westKey: Credentials;
  let eastKey: Credentials;
  let dir: string;
  let smEast: SecretsManagerClient;
  let smWest: SecretsManagerClient;
  const common = (region: string) => ['--region', region, '--account-id', ACCOUNT, '--replication-trust', REPLICATOR];
  const startWest = (extra: string[] = [], reuse?: TestServer) => startServer({
    args: [...common('us-west-2'), '--listen', `127.0.0.1:${westPort}`, '--peer-region', `us-east-1=http://127.0.0.1:${eastPort}`, ...extra],
    env: { COFFER_REPLICATION_INTERVAL_MS: '50' },
    ...(reuse ? { dataDir: reuse.dataDir, databaseUrl: reuse.databaseUrl, root: reuse.root } : {}),
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-peers-'));
    [westPort, eastPort] = [await freePort(), await freePort()];
    west = await startWest();
    westKey = await replicator(west, 'us-west-2');
    east = await startServer({
      args: [...common('us-east-1'), '--listen', `127.0.0.1:${eastPort}`, '--peer-region', `us-west-2=http://127.0.0.1:${westPort}`,
        '--peer-credentials-file', credentialsFile(dir, 'us-west-2', westKey)],
      env: { COFFER_REPLICATION_INTERVAL_MS: '50' },
    });
    eastKey = await replicator(east, 'us-east-1');
    smEast = secretsManager(east, { region: 'us-east-1' });
    smWest = secretsManager(west, { region: 'us-west-2' });
  });
  after(async () => {
    await east?.destroy();
    await west?.stop();
    if (west) {
      rmSync(west.dataDir, { recursive: true, force: true });
      if (TEST_DATABASE === 'postgres') await dropPostgresSchema(west.databaseUrl);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a secret created with a replica in the peer\'s region appears there, read-only, sealed under the peer\'s key', async () => {
    const created = await smEast.send(new CreateSecretCommand({ Name: 'peer/db', SecretString: 'first', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    await replicaStatus(smEast, 'peer/db', 'us-west-2', 'InSync');
    const replica = await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/db' }));
    assert.equal(replica.SecretString, 'first');
    assert.equal(replica.ARN, created.ARN!.replace(':us-east-1:', ':us-west-2:'));
    assert.equal((await smWest.send(new DescribeSecretCommand({ SecretId: 'peer/db' }))).PrimaryRegion, 'us-east-1');
    await rejectsWith(smWest.send(new PutSecretValueCommand({ SecretId: 'peer/db', SecretString: 'x', ClientRequestToken: token() })), 'InvalidParameterException', READ_ONLY);
  });

  test('the peer API refuses ordinary clients, even the peer\'s root', async () => {
    const body = JSON.stringify({ Payload: JSON.stringify({ arn: `arn:aws:secretsmanager:us-west-2:${ACCOUNT}:secret:peer/db-abcdef`, primaryRegion: 'us-east-1' }) });
    const res = await signedRequest(west, { target: 'CofferReplication.DeleteReplica', body, region: 'us-west-2' });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'AccessDeniedException');
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/db' }))).SecretString, 'first');
  });

  test('a replica under a customer managed key of the peer: the replication principal must be allowed to use it there', async () => {
    const kmsWest = new KMSClient({ endpoint: west.endpoint, region: 'us-west-2', credentials: west.root, maxAttempts: 1 });
    const westCmk = (await kmsWest.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    await smEast.send(new CreateSecretCommand({ Name: 'peer/cmk', SecretString: 'sealed west', AddReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: westCmk }] }));
    const failed = await replicaStatus(smEast, 'peer/cmk', 'us-west-2', 'Failed');
    assert.equal(failed.StatusMessage, `Replication failed: Access to KMS is not allowed (the replication principal ${REPLICATOR} may not use ${westCmk}).`);
    await rejectsWith(smWest.send(new GetSecretValueCommand({ SecretId: 'peer/cmk' })), 'ResourceNotFoundException');

    const iamWest = new IAMClient({ endpoint: west.endpoint, region: 'us-west-2', credentials: west.root, maxAttempts: 1 });
    await iamWest.send(new PutUserPolicyCommand({ UserName: 'coffer-replicator', PolicyName: 'replica-key', PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Encrypt'], Resource: westCmk,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-west-2.amazonaws.com' } } }],
    }) }));
    await replicaStatus(smEast, 'peer/cmk', 'us-west-2', 'InSync', 30_000);
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/cmk' }))).SecretString, 'sealed west');
    assert.equal((await smWest.send(new DescribeSecretCommand({ SecretId: 'peer/cmk' }))).KmsKeyId, westCmk);
  });

  test('UpdateSecret with KmsKeyId on the peer\'s replica: re-wrapped there, kept by later pushes, reported to the primary with the next push', async () => {
    await replicaStatus(smEast, 'peer/cmk', 'us-west-2', 'InSync');
    const keys = async () => (await smWest.send(new ListSecretVersionIdsCommand({ SecretId: 'peer/cmk' }))).Versions!.map((v) => v.KmsKeyIds);
    // "" puts the replica on its region's aws/secretsmanager, though the primary asked for westCmk.
    await smWest.send(new UpdateSecretCommand({ SecretId: 'peer/cmk', KmsKeyId: '' }));
    assert.equal((await smWest.send(new DescribeSecretCommand({ SecretId: 'peer/cmk' }))).KmsKeyId, undefined);
    assert.deepEqual(await keys(), [['DefaultEncryptionKey']]);
    await rejectsWith(smWest.send(new UpdateSecretCommand({ SecretId: 'peer/cmk', Description: 'no' })), 'InvalidParameterException', READ_ONLY);

    await smEast.send(new PutSecretValueCommand({ SecretId: 'peer/cmk', SecretString: 'sealed west 2', ClientRequestToken: token() }));
    const status = await eventually('the primary to report the replica\'s own key', async () => {
      const entry = (await smEast.send(new DescribeSecretCommand({ SecretId: 'peer/cmk' }))).ReplicationStatus?.[0];
      return entry?.Status === 'InSync' && entry.KmsKeyId === 'alias/aws/secretsmanager' ? entry : undefined;
    });
    assert.equal(status.StatusMessage, 'Replication succeeded');
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/cmk' }))).SecretString, 'sealed west 2');
    assert.deepEqual(await keys(), [['DefaultEncryptionKey'], ['DefaultEncryptionKey']]);
  });

  test('the peer stopped: the replica is Failed; started again: it catches up to InSync', async () => {
    await west.stop();
    await smEast.send(new PutSecretValueCommand({ SecretId: 'peer/db', SecretString: 'second', ClientRequestToken: token() }));
    const failed = await replicaStatus(smEast, 'peer/db', 'us-west-2', 'Failed');
    assert.match(failed.StatusMessage!, /^Replication failed: the peer deployment of us-west-2 at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    // Restarted with a credential for the primary's deployment, for promotions (next test).
    west = await startWest(['--peer-credentials-file', credentialsFile(dir, 'us-east-1', eastKey)], west);
    smWest = secretsManager(west, { region: 'us-west-2' });
    await replicaStatus(smEast, 'peer/db', 'us-west-2', 'InSync', 90_000);
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/db' }))).SecretString, 'second');
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/db', VersionStage: 'AWSPREVIOUS' }))).SecretString, 'first');
  });

  test('a replica promoted in the peer\'s region becomes writable there, and the primary stops replicating to it', async () => {
    await smWest.send(new StopReplicationToReplicaCommand({ SecretId: 'peer/db' }));
    await smWest.send(new PutSecretValueCommand({ SecretId: 'peer/db', SecretString: 'west now', ClientRequestToken: token() }));
    await eventually('the primary to forget the promoted replica', async () => {
      const d = await smEast.send(new DescribeSecretCommand({ SecretId: 'peer/db' }));
      return d.ReplicationStatus === undefined ? d : undefined;
    });
    await smEast.send(new PutSecretValueCommand({ SecretId: 'peer/db', SecretString: 'east only', ClientRequestToken: token() }));
    assert.equal((await smWest.send(new GetSecretValueCommand({ SecretId: 'peer/db' }))).SecretString, 'west now');
    assert.equal((await smWest.send(new DescribeSecretCommand({ SecretId: 'peer/db' }))).PrimaryRegion, undefined);
  });
});

describe('replication to a peer over HTTPS', () => {
  let east: TestServer | undefined;
  let west: TestServer | undefined;
  let dir: string;
  after(async () => {
    await east?.destroy();
    await west?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a peer with --tls self-signed, its CA given with --peer-ca: the replica reaches InSync', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffer-peers-tls-'));
    west = await startServer({ args: ['--region', 'us-west-2', '--account-id', ACCOUNT, '--replication-trust', REPLICATOR, '--tls', 'self-signed'] });
    assert.match(west.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    const westKey = await replicator(west, 'us-west-2');
    east = await startServer({
      args: ['--region', 'us-east-1', '--account-id', ACCOUNT, '--peer-region', `us-west-2=${west.endpoint}`,
        '--peer-credentials-file', credentialsFile(dir, 'us-west-2', westKey), '--peer-ca', join(west.dataDir, 'tls', 'ca.pem')],
      env: { COFFER_REPLICATION_INTERVAL_MS: '50' },
    });
    const smEast = secretsManager(east, { region: 'us-east-1' });
    await smEast.send(new CreateSecretCommand({ Name: 'tls/db', SecretString: 'over https', AddReplicaRegions: [{ Region: 'us-west-2' }] }));
    await replicaStatus(smEast, 'tls/db', 'us-west-2', 'InSync');
    const replica = await secretsManager(west, { region: 'us-west-2' }).send(new GetSecretValueCommand({ SecretId: 'tls/db' }));
    assert.equal(replica.SecretString, 'over https');
  });
});
