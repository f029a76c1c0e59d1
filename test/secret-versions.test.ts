/**
 * Versions and staging labels: GetSecretValue by id and by label, PutSecretValue with and
 * without VersionStages, UpdateSecret, UpdateSecretVersionStage, and how ListSecretVersionIds
 * and DescribeSecret show the result.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { failsAndChangesNothing, rejectsWith, stagesOf, token } from './helpers/secrets.ts';
import { MARKED_FOR_DELETION as MARKED } from './helpers/messages.ts';

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

const DAY = 86_400_000;

/** A secret with versions v1..vn put one after another (each becomes AWSCURRENT). */
async function secretWithVersions(name: string, n: number): Promise<string[]> {
  const ids = [token()];
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'value-1', ClientRequestToken: ids[0] }));
  for (let i = 2; i <= n; i++) {
    const t = token();
    ids.push(t);
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `value-${i}`, ClientRequestToken: t }));
  }
  return ids;
}

async function rawJson(target: string, body: Record<string, unknown>) {
  const res = await signedRequest(server, { target: `secretsmanager.${target}`, body: JSON.stringify(body) });
  assert.equal(res.status, 200, res.body);
  return res.json;
}

describe('GetSecretValue', () => {
  test('by VersionId, by VersionStage, and by both', async () => {
    const [v1, v2] = await secretWithVersions('get/by', 2);
    const byId = await sm.send(new GetSecretValueCommand({ SecretId: 'get/by', VersionId: v1 }));
    assert.equal(byId.SecretString, 'value-1');
    assert.equal(byId.VersionId, v1);
    assert.deepEqual(byId.VersionStages, ['AWSPREVIOUS']);
    assert.ok(byId.CreatedDate instanceof Date);
    const byStage = await sm.send(new GetSecretValueCommand({ SecretId: 'get/by', VersionStage: 'AWSPREVIOUS' }));
    assert.equal(byStage.VersionId, v1);
    assert.equal(byStage.SecretString, 'value-1');
    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'get/by', VersionStage: 'AWSCURRENT' }));
    assert.equal(current.VersionId, v2);
    const both = await sm.send(new GetSecretValueCommand({ SecretId: 'get/by', VersionId: v2, VersionStage: 'AWSCURRENT' }));
    assert.equal(both.SecretString, 'value-2');
    assert.deepEqual(both.VersionStages, ['AWSCURRENT']);
  });

  test('a VersionStage the VersionId does not hold → InvalidRequestException', async () => {
    const [v1] = await secretWithVersions('get/mismatch', 2);
    await failsAndChangesNothing(sm, 'get/mismatch',
      () => sm.send(new GetSecretValueCommand({ SecretId: 'get/mismatch', VersionId: v1, VersionStage: 'AWSCURRENT' })),
      'InvalidRequestException', 'You provided a VersionStage that is not associated to the provided VersionId.');
  });

  test('unknown VersionId or label → ResourceNotFoundException naming it', async () => {
    await secretWithVersions('get/unknown', 1);
    const missing = token();
    await failsAndChangesNothing(sm, 'get/unknown',
      () => sm.send(new GetSecretValueCommand({ SecretId: 'get/unknown', VersionId: missing })),
      'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${missing}`);
    await failsAndChangesNothing(sm, 'get/unknown',
      () => sm.send(new GetSecretValueCommand({ SecretId: 'get/unknown', VersionStage: 'NOPE' })),
      'ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: NOPE");
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'get/unknown', VersionStage: 'AWSPREVIOUS' })),
      'ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS");
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'get/unknown', VersionId: 'short' })), 'ValidationException');
  });

  test('a secret without a value → RNF for staging label AWSCURRENT', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'get/novalue' }));
    await failsAndChangesNothing(sm, 'get/novalue',
      () => sm.send(new GetSecretValueCommand({ SecretId: 'get/novalue' })),
      'ResourceNotFoundException', "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  test('a deprecated version is still readable by VersionId, without VersionStages', async () => {
    const [v1] = await secretWithVersions('get/deprecated', 3);
    const got = await rawJson('GetSecretValue', { SecretId: 'get/deprecated', VersionId: v1 });
    assert.equal(got.SecretString, 'value-1');
    assert.deepEqual(got.VersionStages ?? [], []);
  });
});

describe('PutSecretValue and UpdateSecret labels', () => {
  test('without VersionStages: new AWSCURRENT, old one AWSPREVIOUS, exactly one AWSPREVIOUS', async () => {
    const name = 'put/rolling';
    const [v1] = await secretWithVersions(name, 1);
    const v2 = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'value-2', ClientRequestToken: v2 }));
    assert.equal(put.VersionId, v2);
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    const v3 = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'value-3', ClientRequestToken: v3 }));
    assert.deepEqual(await stagesOf(sm, name), { [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    assert.equal(listed.Versions!.length, 3);
    assert.equal(listed.Versions!.filter((v) => v.VersionStages?.includes('AWSPREVIOUS')).length, 1);
  });

  test('a secret created without a value gets AWSCURRENT from its first PutSecretValue', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'put/first' }));
    const t = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: 'put/first', SecretString: 'first', ClientRequestToken: t }));
    assert.deepEqual(put.VersionStages, ['AWSCURRENT']);
    assert.deepEqual(await stagesOf(sm, 'put/first'), { [t]: ['AWSCURRENT'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'put/first' }))).SecretString, 'first');
  });

  test('with VersionStages: exactly those labels; AWSCURRENT stays where it was', async () => {
    const name = 'put/staged';
    const [v1] = await secretWithVersions(name, 1);
    const pending = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'pending', ClientRequestToken: pending, VersionStages: ['AWSPENDING'] }));
    assert.deepEqual(put.VersionStages, ['AWSPENDING']);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value-1');
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString, 'pending');
  });

  test('a custom label moves off its old holder; a version left without labels is deprecated', async () => {
    const name = 'put/custom';
    const [v1] = await secretWithVersions(name, 1);
    const blue = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'blue', ClientRequestToken: blue, VersionStages: ['blue', 'green'] }));
    const next = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'next', ClientRequestToken: next, VersionStages: ['blue'] }));
    assert.deepEqual(put.VersionStages, ['blue']);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSCURRENT'], [blue]: ['green'], [next]: ['blue'] });
    const last = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'last', ClientRequestToken: last, VersionStages: ['green'] }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSCURRENT'], [next]: ['blue'], [last]: ['green'] });
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    assert.ok(all.Versions!.some((v) => v.VersionId === blue && v.VersionStages === undefined));
  });

  test('VersionStages with AWSCURRENT and a custom label: AWSCURRENT moves, AWSPREVIOUS follows', async () => {
    const name = 'put/current-and-custom';
    const [v1] = await secretWithVersions(name, 1);
    const v2 = token();
    const put = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2, VersionStages: ['release', 'AWSCURRENT'] }));
    assert.deepEqual([...put.VersionStages!].sort(), ['AWSCURRENT', 'release']);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT', 'release'] });
  });

  test('neither SecretString nor SecretBinary → InvalidRequestException, nothing written', async () => {
    await secretWithVersions('put/novalue', 1);
    await failsAndChangesNothing(sm, 'put/novalue',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'put/novalue', VersionStages: ['x'] })),
      'InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
  });

  test('UpdateSecret with a value: a new AWSCURRENT; with a description too, both change', async () => {
    const name = 'update/value';
    const [v1] = await secretWithVersions(name, 1);
    const v2 = token();
    const out = await sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'two', ClientRequestToken: v2 }));
    assert.equal(out.VersionId, v2);
    assert.equal(out.Name, name);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    const v3 = token();
    await sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'three', Description: 'described', ClientRequestToken: v3 }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.Description, 'described');
    assert.deepEqual(await stagesOf(sm, name), { [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'three');
  });

  test('UpdateSecret without a value: no VersionId, labels untouched; "" clears the description', async () => {
    const name = 'update/description';
    const [v1, v2] = await secretWithVersions(name, 2);
    const out = await rawJson('UpdateSecret', { SecretId: name, Description: 'hello', ClientRequestToken: token() });
    assert.equal('VersionId' in out, false);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Description, 'hello');
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    await sm.send(new UpdateSecretCommand({ SecretId: name, Description: '' }));
    const raw = await rawJson('DescribeSecret', { SecretId: name });
    assert.equal('Description' in raw, false);
  });

  test('UpdateSecret KmsKeyId "" keeps the default key: no version, no KmsKeyId shown, value readable', async () => {
    const name = 'update/kms-default';
    const [v1] = await secretWithVersions(name, 1);
    const out = await sm.send(new UpdateSecretCommand({ SecretId: name, KmsKeyId: '' }));
    assert.equal(out.VersionId, undefined);
    const raw = await rawJson('DescribeSecret', { SecretId: name });
    assert.equal('KmsKeyId' in raw, false);
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSCURRENT'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value-1');
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    assert.deepEqual(listed.Versions![0]!.KmsKeyIds, ['DefaultEncryptionKey']);
  });
});

describe('UpdateSecretVersionStage', () => {
  test('moving AWSCURRENT with RemoveFromVersionId: AWSPREVIOUS follows, the target keeps AWSPENDING', async () => {
    const name = 'stage/current';
    const [v1, v2] = await secretWithVersions(name, 2);
    const v3 = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'pending', ClientRequestToken: v3, VersionStages: ['AWSPENDING'] }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'], [v3]: ['AWSPENDING'] });
    const out = await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v3, RemoveFromVersionId: v2 }));
    assert.equal(out.Name, name);
    assert.deepEqual(await stagesOf(sm, name), { [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT', 'AWSPENDING'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'pending');
  });

  test('rolling back to AWSPREVIOUS swaps the two labels', async () => {
    const name = 'stage/rollback';
    const [v1, v2] = await secretWithVersions(name, 2);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value-1');
  });

  test('without RemoveFromVersionId while the label is elsewhere → IPE with AWS text, nothing moves', async () => {
    const name = 'stage/missing-remove';
    const [v1, v2] = await secretWithVersions(name, 2);
    await failsAndChangesNothing(sm, name,
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1 })),
      'InvalidParameterException',
      `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${v2}, so you must explicitly reference that version in RemoveFromVersionId.`);
  });

  test('a wrong RemoveFromVersionId or an unknown MoveToVersionId → IPE, nothing moves', async () => {
    const name = 'stage/wrong';
    const [v1, v2] = await secretWithVersions(name, 2);
    await failsAndChangesNothing(sm, name,
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v1 })),
      'InvalidParameterException');
    await failsAndChangesNothing(sm, name,
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: token(), RemoveFromVersionId: v2 })),
      'InvalidParameterException');
  });

  test('custom labels: attach, move with RemoveFromVersionId, remove with RemoveFromVersionId alone', async () => {
    const name = 'stage/custom';
    const [v1, v2] = await secretWithVersions(name, 2);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v1 }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS', 'canary'], [v2]: ['AWSCURRENT'] });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', MoveToVersionId: v2, RemoveFromVersionId: v1 }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT', 'canary'] });
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'canary', RemoveFromVersionId: v2 }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
    // Removing AWSPREVIOUS leaves v1 deprecated: hidden unless IncludeDeprecated.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: v1 }));
    assert.deepEqual(await stagesOf(sm, name), { [v2]: ['AWSCURRENT'] });
    const visible = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    assert.deepEqual(visible.Versions!.map((v) => v.VersionId), [v2]);
  });

  test('moving a label to the version that already has it changes nothing', async () => {
    const name = 'stage/noop';
    const [v1, v2] = await secretWithVersions(name, 2);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v2 }));
    assert.deepEqual(await stagesOf(sm, name), { [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });
  });

  test('at most 20 labels per secret → LimitExceededException, nothing moves', async () => {
    const name = 'stage/limit';
    const [v1] = await secretWithVersions(name, 1);
    const labels = Array.from({ length: 19 }, (_, i) => `label-${i + 1}`);
    const v2 = token();
    // AWSCURRENT + 19 custom labels = 20.
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'many', ClientRequestToken: v2, VersionStages: labels }));
    await failsAndChangesNothing(sm, name,
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'label-20', MoveToVersionId: v1 })),
      'LimitExceededException');
    await failsAndChangesNothing(sm, name,
      () => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'more', ClientRequestToken: token(), VersionStages: ['label-21'] })),
      'LimitExceededException');
    // Moving an existing label is not adding one.
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'label-1', MoveToVersionId: v1, RemoveFromVersionId: v2 }));
    assert.deepEqual((await stagesOf(sm, name))[v1], ['AWSCURRENT', 'label-1']);
  });

  test('through the AWS CLI: a stage move and its result', async () => {
    const name = 'stage/cli';
    const [v1, v2] = await secretWithVersions(name, 2);
    const moved = await awsCli(server, ['secretsmanager', 'update-secret-version-stage', '--secret-id', name,
      '--version-stage', 'AWSCURRENT', '--move-to-version-id', v1, '--remove-from-version-id', v2]);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(moved.json.Name, name);
    const listed = await awsCli(server, ['secretsmanager', 'list-secret-version-ids', '--secret-id', name]);
    assert.equal(listed.code, 0, listed.stderr);
    const map = Object.fromEntries((listed.json.Versions as { VersionId: string; VersionStages: string[] }[]).map((v) => [v.VersionId, v.VersionStages]));
    assert.deepEqual(map, { [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
    const missing = await awsCli(server, ['secretsmanager', 'update-secret-version-stage', '--secret-id', name,
      '--version-stage', 'AWSCURRENT', '--move-to-version-id', v2]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /InvalidParameterException/);
    assert.match(missing.stderr, /RemoveFromVersionId can't be empty/);
  });
});

describe('ListSecretVersionIds', () => {
  test('deprecated versions only with IncludeDeprecated, and then without a VersionStages key', async () => {
    const name = 'list/deprecated';
    const [v1, v2, v3] = await secretWithVersions(name, 3);
    const plain = await rawJson('ListSecretVersionIds', { SecretId: name });
    assert.deepEqual(plain.Versions.map((v: { VersionId: string }) => v.VersionId).sort(), [v2, v3].sort());
    const all = await rawJson('ListSecretVersionIds', { SecretId: name, IncludeDeprecated: true });
    assert.equal(all.Versions.length, 3);
    const deprecated = all.Versions.find((v: { VersionId: string }) => v.VersionId === v1);
    assert.equal('VersionStages' in deprecated, false);
    assert.equal(typeof deprecated.CreatedDate, 'number');
    assert.deepEqual(deprecated.KmsKeyIds, ['DefaultEncryptionKey']);
    assert.equal(all.Name, name);
    assert.match(all.ARN, /:secret:list\/deprecated-[A-Za-z0-9]{6}$/);
  });

  test('MaxResults and NextToken page through every version once', async () => {
    const name = 'list/paging';
    const ids = await secretWithVersions(name, 5);
    const seen: string[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const out = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 2, NextToken }));
      assert.ok(out.Versions!.length <= 2);
      seen.push(...out.Versions!.map((v) => v.VersionId!));
      NextToken = out.NextToken;
      pages++;
    } while (NextToken);
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    await rejectsWith(sm.send(new ListSecretVersionIdsCommand({ SecretId: name, NextToken: 'garbage' })), 'InvalidNextTokenException');
    await rejectsWith(sm.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 101 })), 'ValidationException');
  });

  test('LastAccessedDate appears on the version that was read, at 00:00 UTC', async () => {
    const name = 'list/accessed';
    const [v1, v2] = await secretWithVersions(name, 2);
    const before = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    assert.ok(before.Versions!.every((v) => v.LastAccessedDate === undefined));
    const t0 = Date.now();
    await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 }));
    const t1 = Date.now();
    const after = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    const read = after.Versions!.find((v) => v.VersionId === v1)!;
    const unread = after.Versions!.find((v) => v.VersionId === v2)!;
    assert.equal(unread.LastAccessedDate, undefined);
    const day = read.LastAccessedDate!.getTime();
    assert.equal(day % DAY, 0);
    assert.ok(day === t0 - (t0 % DAY) || day === t1 - (t1 % DAY));
  });

  test('a secret without a value lists no versions', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'list/empty' }));
    const out = await rawJson('ListSecretVersionIds', { SecretId: 'list/empty', IncludeDeprecated: true });
    assert.deepEqual(out.Versions, []);
  });
});

describe('DescribeSecret', () => {
  test('a value-less secret: no VersionIdsToStages, no Description, no LastAccessedDate, no KmsKeyId', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'describe/bare' }));
    const raw = await rawJson('DescribeSecret', { SecretId: 'describe/bare' });
    for (const key of ['VersionIdsToStages', 'Description', 'LastAccessedDate', 'KmsKeyId', 'DeletedDate', 'Tags', 'RotationEnabled']) {
      assert.equal(key in raw, false, `${key} should be omitted`);
    }
    assert.equal(typeof raw.CreatedDate, 'number');
    assert.equal(typeof raw.LastChangedDate, 'number');
    assert.equal(raw.Name, 'describe/bare');
  });

  test('LastChangedDate moves on every change, CreatedDate never; LastAccessedDate is the day of the read', async () => {
    const name = 'describe/dates';
    const t0 = Date.now();
    const [v1] = await secretWithVersions(name, 1);
    const d1 = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.ok(d1.CreatedDate!.getTime() >= t0 - 1000);
    assert.equal(d1.LastAccessedDate, undefined);
    const changes: (() => Promise<unknown>)[] = [
      () => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'same', ClientRequestToken: token() })),
      () => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'same', ClientRequestToken: token() })),
      () => sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'changed' })),
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'tag-along', MoveToVersionId: v1 })),
    ];
    let last = d1.LastChangedDate!.getTime();
    for (const change of changes) {
      // Timestamps have millisecond resolution: let the clock move before the change.
      await new Promise((r) => setTimeout(r, 5));
      await change();
      const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
      assert.ok(d.LastChangedDate!.getTime() > last, 'LastChangedDate did not move');
      assert.equal(d.CreatedDate!.getTime(), d1.CreatedDate!.getTime());
      last = d.LastChangedDate!.getTime();
    }
    const r0 = Date.now();
    await sm.send(new GetSecretValueCommand({ SecretId: name }));
    const r1 = Date.now();
    const read = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    const day = read.LastAccessedDate!.getTime();
    assert.equal(day % DAY, 0);
    assert.ok(day === r0 - (r0 % DAY) || day === r1 - (r1 % DAY));
    // A read is not a change.
    assert.equal(read.LastChangedDate!.getTime(), last);
  });

  test('VersionIdsToStages lists labelled versions only', async () => {
    const name = 'describe/stages';
    const [, v2, v3] = await secretWithVersions(name, 3);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.deepEqual(Object.keys(d.VersionIdsToStages!).sort(), [v2, v3].sort());
  });
});

describe('concurrent writers on one secret', () => {
  test('parallel PutSecretValue calls: every version kept, one AWSCURRENT, one AWSPREVIOUS', async () => {
    const name = 'concurrent/put';
    const [v1] = await secretWithVersions(name, 1);
    const ids = Array.from({ length: 12 }, () => token());
    const results = await Promise.all(ids.map((t, i) => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: `p-${i}`, ClientRequestToken: t }))));
    for (const r of results) assert.deepEqual(r.VersionStages, ['AWSCURRENT']);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    assert.deepEqual(all.Versions!.map((v) => v.VersionId).sort(), [v1, ...ids].sort());
    const stages = await stagesOf(sm, name);
    const holders = (label: string) => Object.entries(stages).filter(([, s]) => s.includes(label)).map(([id]) => id);
    assert.equal(holders('AWSCURRENT').length, 1);
    assert.equal(holders('AWSPREVIOUS').length, 1);
    assert.equal(Object.keys(stages).length, 2);
    const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    assert.equal(current.VersionId, holders('AWSCURRENT')[0]);
    assert.equal(current.SecretString, `p-${ids.indexOf(current.VersionId!)}`);
  });

  test('parallel retries of one CreateSecret: all succeed with one ARN and one version', async () => {
    const t = token();
    const results = await Promise.allSettled(Array.from({ length: 8 }, () =>
      sm.send(new CreateSecretCommand({ Name: 'concurrent/create', SecretString: 'once', ClientRequestToken: t }))));
    const ok = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ ARN?: string; VersionId?: string }>).value);
    assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)), []);
    assert.equal(new Set(ok.map((r) => r.ARN)).size, 1);
    assert.ok(ok.every((r) => r.VersionId === t));
    assert.deepEqual(await stagesOf(sm, 'concurrent/create'), { [t]: ['AWSCURRENT'] });
  });

  test('parallel creates of one name with different tokens: one wins, the rest get ResourceExistsException', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) =>
      sm.send(new CreateSecretCommand({ Name: 'concurrent/race', SecretString: `r-${i}` }))));
    const winners = results.filter((r) => r.status === 'fulfilled');
    assert.equal(winners.length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ResourceExistsException', String(r.reason));
    }
  });
});

describe('a secret scheduled for deletion', () => {
  
  test('value and label calls → InvalidRequestException and change nothing; DescribeSecret still works', async () => {
    const name = 'deleted/values';
    const [v1, v2] = await secretWithVersions(name, 2);
    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.ok(d.DeletedDate instanceof Date);
    const calls: (() => Promise<unknown>)[] = [
      () => sm.send(new GetSecretValueCommand({ SecretId: name })),
      () => sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'x' })),
      () => sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'x' })),
      () => sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'x' })),
      () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 })),
    ];
    for (const call of calls) await failsAndChangesNothing(sm, name, call, 'InvalidRequestException', MARKED);
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'value-2');
  });
});

describe('reads see every write at once', () => {
  test('GetSecretValue after Put, Update, a stage move, a label removal and a delete', async () => {
    const name = 'fresh/reads';
    const [v1] = await secretWithVersions(name, 1);
    const read = async (input: { VersionStage?: string; VersionId?: string } = {}) =>
      (await sm.send(new GetSecretValueCommand({ SecretId: name, ...input }))).SecretString;
    assert.equal(await read(), 'value-1');
    const v2 = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'put', ClientRequestToken: v2 }));
    assert.equal(await read(), 'put');
    assert.equal(await read({ VersionStage: 'AWSPREVIOUS' }), 'value-1');
    const v3 = token();
    await sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'updated', ClientRequestToken: v3 }));
    assert.equal(await read(), 'updated');
    assert.equal(await read({ VersionStage: 'AWSPREVIOUS' }), 'put');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v3 }));
    assert.equal(await read(), 'value-1');
    assert.equal(await read({ VersionStage: 'AWSPREVIOUS' }), 'updated');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS', RemoveFromVersionId: v3 }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })), 'ResourceNotFoundException');
    const got = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v3 }));
    assert.deepEqual(got.VersionStages ?? [], []);
    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: name })), 'InvalidRequestException');
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    assert.equal(await read(), 'value-1');
    assert.deepEqual((await sm.send(new GetSecretValueCommand({ SecretId: name }))).VersionStages, ['AWSCURRENT']);
  });
});
