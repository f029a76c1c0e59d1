/**
 * Tags on secrets: TagResource upserts, UntagResource ignores unknown keys, how DescribeSecret
 * and ListSecrets show tags, the limits (50 tags, key/value lengths, the reserved `aws:`
 * prefix), tags given at CreateSecret, and failed calls that must change nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  ListSecretsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { failsAndChangesNothing, rejectsWith } from './helpers/secrets.ts';
import { SECRET_NOT_FOUND as NOT_FOUND } from './helpers/messages.ts';


let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

async function tagsOf(secretId: string): Promise<Tag[] | undefined> {
  const out = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
  return out.Tags === undefined ? undefined : [...out.Tags].sort((a, b) => a.Key!.localeCompare(b.Key!));
}

function manyTags(n: number, prefix = 'k'): Tag[] {
  return Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
}

async function listedTags(name: string): Promise<Tag[] | undefined | 'missing'> {
  let NextToken: string | undefined;
  do {
    const out = await sm.send(new ListSecretsCommand({ NextToken }));
    const entry = out.SecretList?.find((s) => s.Name === name);
    if (entry) return entry.Tags;
    NextToken = out.NextToken;
  } while (NextToken);
  return 'missing';
}

describe('TagResource and UntagResource', () => {
  test('Tags is absent before the first tag, and [] after removing the last', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/lifecycle', SecretString: 'v' }));
    assert.equal(await tagsOf('tags/lifecycle'), undefined);
    assert.equal(await listedTags('tags/lifecycle'), undefined);
    const out = await sm.send(new TagResourceCommand({ SecretId: 'tags/lifecycle', Tags: [{ Key: 'env', Value: 'prod' }] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(await tagsOf('tags/lifecycle'), [{ Key: 'env', Value: 'prod' }]);
    assert.deepEqual(await listedTags('tags/lifecycle'), [{ Key: 'env', Value: 'prod' }]);
    await sm.send(new UntagResourceCommand({ SecretId: 'tags/lifecycle', TagKeys: ['env'] }));
    assert.deepEqual(await tagsOf('tags/lifecycle'), []);
    assert.deepEqual(await listedTags('tags/lifecycle'), []);
  });

  test('TagResource upserts by key: new keys are added, existing keys get the new value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/upsert', SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await sm.send(new TagResourceCommand({ SecretId: 'tags/upsert', Tags: [{ Key: 'b', Value: 'two' }, { Key: 'c', Value: '3' }] }));
    assert.deepEqual(await tagsOf('tags/upsert'), [{ Key: 'a', Value: '1' }, { Key: 'b', Value: 'two' }, { Key: 'c', Value: '3' }]);
  });

  test('keys are case-sensitive; an empty value is allowed', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/case', SecretString: 'v' }));
    await sm.send(new TagResourceCommand({ SecretId: 'tags/case', Tags: [{ Key: 'Env', Value: 'a' }, { Key: 'env', Value: '' }] }));
    assert.deepEqual(await tagsOf('tags/case'), [{ Key: 'env', Value: '' }, { Key: 'Env', Value: 'a' }].sort((x, y) => x.Key.localeCompare(y.Key)));
    await sm.send(new UntagResourceCommand({ SecretId: 'tags/case', TagKeys: ['ENV', 'Env'] }));
    assert.deepEqual(await tagsOf('tags/case'), [{ Key: 'env', Value: '' }]);
  });

  test('UntagResource ignores keys the secret does not have', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/untag-unknown', SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await sm.send(new UntagResourceCommand({ SecretId: 'tags/untag-unknown', TagKeys: ['nope', 'b', 'also-nope'] }));
    assert.deepEqual(await tagsOf('tags/untag-unknown'), [{ Key: 'a', Value: '1' }]);
    await sm.send(new UntagResourceCommand({ SecretId: 'tags/untag-unknown', TagKeys: ['nope'] }));
    assert.deepEqual(await tagsOf('tags/untag-unknown'), [{ Key: 'a', Value: '1' }]);
  });

  test('tags work on a secret without a value, by ARN and by partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'tags/no-value' }));
    await sm.send(new TagResourceCommand({ SecretId: created.ARN, Tags: [{ Key: 'x', Value: '1' }] }));
    await sm.send(new TagResourceCommand({ SecretId: created.ARN!.slice(0, -7), Tags: [{ Key: 'y', Value: '2' }] }));
    assert.deepEqual(await tagsOf('tags/no-value'), [{ Key: 'x', Value: '1' }, { Key: 'y', Value: '2' }]);
  });

  test('an unknown secret → ResourceNotFoundException', async () => {
    await rejectsWith(sm.send(new TagResourceCommand({ SecretId: 'tags/unknown', Tags: [{ Key: 'a', Value: 'b' }] })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new UntagResourceCommand({ SecretId: 'tags/unknown', TagKeys: ['a'] })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('through the AWS CLI: tag-resource and untag-resource print nothing', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/cli', SecretString: 'v' }));
    const tagged = await awsCli(server, ['secretsmanager', 'tag-resource', '--secret-id', 'tags/cli', '--tags', 'Key=team,Value=blue', 'Key=tier,Value=1']);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(tagged.stdout.trim(), '');
    const untagged = await awsCli(server, ['secretsmanager', 'untag-resource', '--secret-id', 'tags/cli', '--tag-keys', 'tier', 'missing']);
    assert.equal(untagged.code, 0, untagged.stderr);
    const described = await awsCli(server, ['secretsmanager', 'describe-secret', '--secret-id', 'tags/cli']);
    assert.deepEqual(described.json.Tags, [{ Key: 'team', Value: 'blue' }]);
    const reserved = await awsCli(server, ['secretsmanager', 'tag-resource', '--secret-id', 'tags/cli', '--tags', 'Key=aws:x,Value=1']);
    assert.notEqual(reserved.code, 0);
    assert.match(reserved.stderr, /InvalidParameterException/);
  });
});

describe('tag limits', () => {
  test('50 tags are allowed, one more → InvalidParameterException and nothing changes', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/fifty', SecretString: 'v', Tags: manyTags(49) }));
    await sm.send(new TagResourceCommand({ SecretId: 'tags/fifty', Tags: [{ Key: 'k49', Value: 'v49' }] }));
    assert.equal((await tagsOf('tags/fifty'))!.length, 50);
    await failsAndChangesNothing(sm, 'tags/fifty', () => sm.send(new TagResourceCommand({ SecretId: 'tags/fifty', Tags: [{ Key: 'one-more', Value: 'x' }] })),
      'InvalidParameterException', /50/);
    // Overwriting existing keys does not add tags, so it still works at the limit.
    await sm.send(new TagResourceCommand({ SecretId: 'tags/fifty', Tags: [{ Key: 'k0', Value: 'new' }] }));
    assert.equal((await tagsOf('tags/fifty'))!.find((t) => t.Key === 'k0')!.Value, 'new');
  });

  test('CreateSecret with 51 tags → InvalidParameterException, no secret', async () => {
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'tags/create-51', SecretString: 'v', Tags: manyTags(51) })), 'InvalidParameterException', /50/);
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'tags/create-51' })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('a key of 128 characters and a value of 256 are accepted', async () => {
    const key = 'k'.repeat(128);
    const value = 'v'.repeat(256);
    await sm.send(new CreateSecretCommand({ Name: 'tags/long-ok', SecretString: 'v', Tags: [{ Key: key, Value: value }] }));
    assert.deepEqual(await tagsOf('tags/long-ok'), [{ Key: key, Value: value }]);
  });

  test('a key over 128 characters or a value over 256 → ValidationException, nothing changes', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/too-long', SecretString: 'v', Tags: [{ Key: 'keep', Value: 'me' }] }));
    await failsAndChangesNothing(sm, 'tags/too-long',
      () => sm.send(new TagResourceCommand({ SecretId: 'tags/too-long', Tags: [{ Key: 'ok', Value: 'x' }, { Key: 'k'.repeat(129), Value: 'x' }] })),
      'ValidationException', /Member must have length less than or equal to 128/);
    await failsAndChangesNothing(sm, 'tags/too-long',
      () => sm.send(new TagResourceCommand({ SecretId: 'tags/too-long', Tags: [{ Key: 'ok', Value: 'v'.repeat(257) }] })),
      'ValidationException', /Member must have length less than or equal to 256/);
    await failsAndChangesNothing(sm, 'tags/too-long',
      () => sm.send(new TagResourceCommand({ SecretId: 'tags/too-long', Tags: [{ Key: '', Value: 'x' }] })),
      'ValidationException', /Member must have length greater than or equal to 1/);
    await failsAndChangesNothing(sm, 'tags/too-long',
      () => sm.send(new UntagResourceCommand({ SecretId: 'tags/too-long', TagKeys: ['keep', 'k'.repeat(129)] })),
      'ValidationException', /Member must have length less than or equal to 128/);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'tags/too-long-create', SecretString: 'v', Tags: [{ Key: 'k'.repeat(129), Value: 'x' }] })),
      'ValidationException');
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'tags/too-long-create' })), 'ResourceNotFoundException');
  });

  for (const key of ['aws:team', 'AWS:team', 'aws:secretsmanager:owningService']) {
    test(`the reserved prefix: ${key} → InvalidParameterException, nothing changes`, async () => {
      const name = `tags/reserved-${key.replaceAll(':', '-')}`;
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v', Tags: [{ Key: 'keep', Value: 'me' }] }));
      await failsAndChangesNothing(sm, name,
        () => sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'fine', Value: 'x' }, { Key: key, Value: 'x' }] })),
        'InvalidParameterException', /aws:/);
      await rejectsWith(sm.send(new CreateSecretCommand({ Name: `${name}-create`, SecretString: 'v', Tags: [{ Key: key, Value: 'x' }] })),
        'InvalidParameterException', /aws:/);
      await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: `${name}-create` })), 'ResourceNotFoundException');
    });
  }

  test('"aws" without the colon, or inside a key, is an ordinary key', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/awsish', SecretString: 'v', Tags: [{ Key: 'aws-team', Value: '1' }, { Key: 'my:aws:key', Value: '2' }] }));
    assert.deepEqual(await tagsOf('tags/awsish'), [{ Key: 'aws-team', Value: '1' }, { Key: 'my:aws:key', Value: '2' }]);
  });
});

describe('tags on CreateSecret', () => {
  test('are stored and shown; repeated keys keep the last value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'tags/create', SecretString: 'v', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'a', Value: '3' }] }));
    assert.deepEqual(await tagsOf('tags/create'), [{ Key: 'a', Value: '3' }, { Key: 'b', Value: '2' }]);
  });

  test('through the AWS CLI', async () => {
    const res = await awsCli(server, ['secretsmanager', 'create-secret', '--name', 'tags/create-cli', '--secret-string', 'v', '--tags', 'Key=owner,Value=me']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await tagsOf('tags/create-cli'), [{ Key: 'owner', Value: 'me' }]);
  });
});
