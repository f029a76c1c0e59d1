/**
 * Reads see every write as soon as the write has answered, however the secret was read
 * before (by name, by ARN, by label, by version id, DescribeSecret). On SQLite the server
 * answers reads from its read cache, so these are the cache's invalidation tests; on
 * PostgreSQL they hold for the database path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { secretsManager } from './helpers/clients.ts';

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

const get = (SecretId: string, more: { VersionId?: string; VersionStage?: string } = {}) =>
  sm.send(new GetSecretValueCommand({ SecretId, ...more }));

async function errorName(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).name;
  }
  return 'no error';
}

/** Reads the secret every way a client can, so whatever the server keeps of it is warm. */
async function readEveryWay(name: string, arn: string): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await get(name);
    await get(arn);
    await get(name, { VersionStage: 'AWSCURRENT' });
    await sm.send(new DescribeSecretCommand({ SecretId: name }));
    await sm.send(new DescribeSecretCommand({ SecretId: arn }));
  }
}

describe('reads after writes', () => {
  test('PutSecretValue and UpdateSecretVersionStage are seen by every kind of read at once', async () => {
    const name = 'raw/put-and-stage';
    const v1 = randomUUID();
    const { ARN: arn } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one', ClientRequestToken: v1 }));
    await readEveryWay(name, arn!);
    await get(name, { VersionId: v1 });

    const v2 = randomUUID();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2 }));
    assert.equal((await get(name)).SecretString, 'two');
    assert.equal((await get(arn!)).SecretString, 'two');
    assert.equal((await get(name, { VersionStage: 'AWSCURRENT' })).VersionId, v2);
    assert.equal((await get(name, { VersionStage: 'AWSPREVIOUS' })).SecretString, 'one');
    assert.deepEqual((await get(name, { VersionId: v1 })).VersionStages, ['AWSPREVIOUS']);

    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }));
    assert.equal((await get(name)).SecretString, 'one');
    assert.equal((await get(arn!)).VersionId, v1);
    assert.deepEqual((await get(name, { VersionId: v1 })).VersionStages, ['AWSCURRENT']);
    assert.deepEqual((await get(name, { VersionId: v2 })).VersionStages, ['AWSPREVIOUS']);

    // UpdateSecret with a value makes a new AWSCURRENT too.
    const v3 = randomUUID();
    await sm.send(new UpdateSecretCommand({ SecretId: arn, SecretString: 'three', ClientRequestToken: v3 }));
    assert.equal((await get(name)).SecretString, 'three');
    assert.equal((await get(name, { VersionStage: 'AWSPREVIOUS' })).VersionId, v1);
  });

  test('metadata changes show in DescribeSecret at once', async () => {
    const name = 'raw/metadata';
    const { ARN: arn } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: randomUUID() }));
    await readEveryWay(name, arn!);

    await sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'now described' }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).Description, 'now described');

    await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'team', Value: 'a' }] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags, [{ Key: 'team', Value: 'a' }]);
    await sm.send(new UntagResourceCommand({ SecretId: arn, TagKeys: ['team'] }));
    const tags = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? [];
    assert.deepEqual(tags, []);
  });

  test('the day\'s first GetSecretValue shows as LastAccessedDate on a secret described before it', async () => {
    const name = 'raw/last-accessed';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x', ClientRequestToken: randomUUID() }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).LastAccessedDate, undefined);
    await get(name);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.ok(described.LastAccessedDate instanceof Date, 'LastAccessedDate is set');
    const now = Date.now();
    assert.equal(described.LastAccessedDate.getTime(), now - (now % 86_400_000));
  });

  test('DeleteSecret, RestoreSecret, and a forced delete then a new secret of the same name', async () => {
    const name = 'raw/delete';
    const { ARN: oldArn } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'old', ClientRequestToken: randomUUID() }));
    await readEveryWay(name, oldArn!);

    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    assert.equal(await errorName(get(name)), 'InvalidRequestException');
    assert.equal(await errorName(get(oldArn!)), 'InvalidRequestException');
    await sm.send(new RestoreSecretCommand({ SecretId: oldArn }));
    assert.equal((await get(name)).SecretString, 'old');
    await readEveryWay(name, oldArn!);

    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    // Deletion without recovery completes asynchronously in AWS; coffer purges at once.
    assert.equal(await errorName(get(name)), 'ResourceNotFoundException');
    assert.equal(await errorName(get(oldArn!)), 'ResourceNotFoundException');

    const { ARN: newArn } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'new', ClientRequestToken: randomUUID() }));
    assert.notEqual(newArn, oldArn);
    assert.equal((await get(name)).SecretString, 'new');
    assert.equal((await get(newArn!)).ARN, newArn);
    assert.equal(await errorName(get(oldArn!)), 'ResourceNotFoundException');
  });

  test('reads racing with writes never keep serving a value older than the last answered write', async () => {
    const name = 'raw/race';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'value-0', ClientRequestToken: randomUUID() }));
    for (let i = 1; i <= 5; i++) {
      const readers = Array.from({ length: 20 }, () => get(name));
      await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `value-${i}`, ClientRequestToken: randomUUID() }));
      await Promise.all(readers);
      const after = await Promise.all(Array.from({ length: 10 }, () => get(name)));
      assert.deepEqual(after.map((r) => r.SecretString), Array(10).fill(`value-${i}`));
    }
  });
});
