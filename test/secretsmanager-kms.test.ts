/**
 * Secrets Manager on customer managed KMS keys, through the real clients: KmsKeyId by key id,
 * key ARN, alias name and alias ARN; how DescribeSecret, ListSecrets and ListSecretVersionIds
 * show the key (the default key never shown, "DefaultEncryptionKey" per version); and AWS's
 * rule for a changed key — new versions use it, AWSCURRENT/AWSPENDING/AWSPREVIOUS move to it
 * when the caller may, a key change alone makes no version, "" returns to the default key.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith, snapshot } from './helpers/secrets.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let kms: KMSClient;
let iam: IAMClient;

useServer((s, client) => {
  server = s;
  sm = client;
  kms = new KMSClient({ endpoint: s.endpoint, region: 'us-east-1', credentials: s.root, maxAttempts: 1 });
  iam = iamClient(s);
});

interface Key { id: string; arn: string; alias: string; aliasArn: string }

async function newKey(alias: string): Promise<Key> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: alias }));
  await kms.send(new CreateAliasCommand({ AliasName: `alias/${alias}`, TargetKeyId: KeyMetadata!.KeyId! }));
  return {
    id: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn!, alias: `alias/${alias}`,
    aliasArn: `arn:aws:kms:us-east-1:${server.accountId}:alias/${alias}`,
  };
}

/** Version id → KmsKeyIds, deprecated versions included. */
async function versionKeys(secretId: string): Promise<Record<string, string[]>> {
  const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true }));
  return Object.fromEntries(out.Versions!.map((v) => [v.VersionId!, v.KmsKeyIds!]));
}

const read = async (secretId: string, VersionId?: string) => (await sm.send(new GetSecretValueCommand({ SecretId: secretId, VersionId }))).SecretString;

describe('KmsKeyId forms', () => {
  let key: Key;
  before(async () => { key = await newKey('forms'); });

  test('a key id, key ARN, alias name or alias ARN each encrypts under the key; DescribeSecret and ListSecrets show it as given', async () => {
    const forms = { 'key-id': key.id, 'key-arn': key.arn, 'alias-name': key.alias, 'alias-arn': key.aliasArn };
    for (const [form, KmsKeyId] of Object.entries(forms)) {
      const name = `kms/forms/${form}`;
      const created = await sm.send(new CreateSecretCommand({ Name: name, KmsKeyId, SecretString: `value ${form}` }));
      assert.equal(await read(name), `value ${form}`);
      assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, KmsKeyId);
      assert.deepEqual(await versionKeys(name), { [created.VersionId!]: [key.arn] }, `${form}: the version is under the key`);
      const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
      assert.equal(listed.SecretList![0]!.KmsKeyId, KmsKeyId);
    }
  });

  test('the default key is never shown: no KmsKeyId, and "DefaultEncryptionKey" per version', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'kms/forms/default', SecretString: 'v' }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'kms/forms/default' }));
    assert.equal('KmsKeyId' in described, false);
    assert.deepEqual(await versionKeys('kms/forms/default'), { [created.VersionId!]: ['DefaultEncryptionKey'] });
  });

  test('a key that does not exist is InvalidParameterException, and nothing is created', async () => {
    for (const KmsKeyId of ['alias/no-such-alias', '0b7c6a47-0000-4000-8000-000000000000', 'not-an-alias', `arn:aws:kms:us-east-1:${server.accountId}:alias/nope`]) {
      await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'kms/forms/unknown', KmsKeyId, SecretString: 'v' })),
        'InvalidParameterException', 'The operation failed because of an invalid KMS key: Invalid keyId');
    }
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'kms/forms/unknown' })), 'ResourceNotFoundException');
  });

  test('a secret named by an alias that was deleted still reads (the data key names its key), but new values fail as KMS fails', async () => {
    const own = await newKey('forms-deleted-alias');
    await sm.send(new CreateSecretCommand({ Name: 'kms/forms/deleted-alias', KmsKeyId: own.alias, SecretString: 'v1' }));
    await kms.send(new DeleteAliasCommand({ AliasName: own.alias }));
    assert.equal(await read('kms/forms/deleted-alias'), 'v1');
    const escaped = own.aliasArn.replace(/[/]/g, '\\/');
    await rejectsWith(sm.send(new PutSecretValueCommand({ SecretId: 'kms/forms/deleted-alias', SecretString: 'v2' })), 'EncryptionFailure',
      new RegExp(`^Secrets Manager can't encrypt the secret value: Alias ${escaped} is not found\\. \\(Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\\)$`));
  });

  test('a key in another region is not found', async () => {
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'kms/forms/region', KmsKeyId: key.arn.replace('us-east-1', 'eu-west-1'), SecretString: 'v' })),
      'InvalidParameterException', 'The operation failed because of an invalid KMS key: Invalid keyId');
  });

  test('the AWS CLI: create-secret --kms-key-id with an alias, then describe-secret and get-secret-value', async () => {
    const created = await awsCli(server, ['secretsmanager', 'create-secret', '--name', 'kms/forms/cli', '--kms-key-id', key.alias, '--secret-string', 'from the cli']);
    assert.equal(created.code, 0, created.stderr);
    const described = await awsCli(server, ['secretsmanager', 'describe-secret', '--secret-id', 'kms/forms/cli']);
    assert.equal(described.json.KmsKeyId, key.alias);
    const got = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'kms/forms/cli']);
    assert.equal(got.json.SecretString, 'from the cli');
    const versions = await awsCli(server, ['secretsmanager', 'list-secret-version-ids', '--secret-id', 'kms/forms/cli']);
    assert.deepEqual(versions.json.Versions[0].KmsKeyIds, [key.arn]);
  });
});

describe('changing a secret\'s key', () => {
  let first: Key;
  let second: Key;
  before(async () => {
    first = await newKey('change-first');
    second = await newKey('change-second');
  });

  /** A secret with a deprecated v1, AWSPREVIOUS v2, AWSCURRENT v3 and a custom-labelled v4, under the default key. */
  async function history(name: string) {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }))).VersionId!;
    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three' }))).VersionId!;
    const v4 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'four', VersionStages: ['CUSTOM'] }))).VersionId!;
    return { v1, v2, v3, v4 };
  }

  test('UpdateSecret with only KmsKeyId makes no version and moves AWSCURRENT and AWSPREVIOUS to the new key', async () => {
    const name = 'kms/change/only-key';
    const { v1, v2, v3, v4 } = await history(name);
    const before = await snapshot(sm, name);
    const out = await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: first.alias }));
    assert.equal(out.VersionId, undefined, 'a key change alone makes no version');
    assert.deepEqual(await versionKeys(name), {
      [v1]: ['DefaultEncryptionKey'], [v2]: [first.arn], [v3]: [first.arn], [v4]: ['DefaultEncryptionKey'],
    });
    const after = await snapshot(sm, name);
    assert.deepEqual(after.describe.VersionIdsToStages, before.describe.VersionIdsToStages, 'labels unchanged');
    assert.equal(after.versions.length, before.versions.length);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, first.alias);
    for (const [id, value] of [[v1, 'one'], [v2, 'two'], [v3, 'three'], [v4, 'four']] as const) assert.equal(await read(name, id), value, 'old key or new, every version reads');
    // New versions use the new key.
    const v5 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'five' }))).VersionId!;
    assert.deepEqual((await versionKeys(name))[v5], [first.arn]);
    assert.equal(await read(name), 'five');
  });

  test('AWSPENDING moves too; a second change moves the labelled versions on, "" returns them to the default key', async () => {
    const name = 'kms/change/pending';
    const { v2, v3, v4 } = await history(name);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', MoveToVersionId: v4 }));
    await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: first.arn }));
    assert.deepEqual((await versionKeys(name))[v4], [first.arn], 'AWSPENDING moved');
    await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: second.id }));
    const moved = await versionKeys(name);
    for (const v of [v2, v3, v4]) assert.deepEqual(moved[v], [second.arn]);
    await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: '' }));
    assert.equal('KmsKeyId' in await sm.send(new DescribeSecretCommand({ SecretId: name })), false);
    const back = await versionKeys(name);
    for (const v of [v2, v3, v4]) assert.deepEqual(back[v], ['DefaultEncryptionKey']);
    assert.equal(await read(name), 'three');
  });

  test('UpdateSecret with a value and a KmsKeyId: the new version and the labelled ones are under the new key', async () => {
    const name = 'kms/change/with-value';
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: first.alias, SecretString: 'two' }))).VersionId!;
    assert.ok(v2);
    assert.deepEqual(await versionKeys(name), { [v1]: [first.arn], [v2]: [first.arn] });
    assert.equal(await read(name), 'two');
    assert.equal(await read(name, v1), 'one');
  });

  test('a user who may not kms:Encrypt under the new key changes the key, but the versions stay where they are', async () => {
    const name = 'kms/change/no-encrypt';
    const { v2, v3 } = await history(name);
    const keyUse = (actions: string[]) => ({ Effect: 'Allow', Action: actions, Resource: [first.arn, second.arn] });
    const made = await userWithKey(iam, 'kms-change-no-encrypt');
    await iam.send(new PutUserPolicyCommand({
      UserName: 'kms-change-no-encrypt', PolicyName: 'p',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
        keyUse(['kms:GenerateDataKey', 'kms:Decrypt']),
      ] }),
    }));
    const user = secretsManager(server, { credentials: made.credentials });
    await user.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: first.arn }));
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).KmsKeyId, first.arn);
    const keys = await versionKeys(name);
    assert.deepEqual([keys[v2], keys[v3]], [['DefaultEncryptionKey'], ['DefaultEncryptionKey']]);
    // New values go under the new key all the same.
    const v5 = (await user.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'five' }))).VersionId!;
    assert.deepEqual((await versionKeys(name))[v5], [first.arn]);
    assert.equal((await user.send(new GetSecretValueCommand({ SecretId: name, VersionId: v3 }))).SecretString, 'three');
  });

  test('an unknown key changes nothing', async () => {
    const name = 'kms/change/unknown';
    await history(name);
    const before = await snapshot(sm, name);
    await rejectsWith(sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: 'alias/does-not-exist', SecretString: 'x' })),
      'InvalidParameterException', 'The operation failed because of an invalid KMS key: Invalid keyId');
    assert.deepEqual(await snapshot(sm, name), before);
  });
});
