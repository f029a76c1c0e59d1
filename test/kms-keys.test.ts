/**
 * KMS keys through the real JS SDK and the AWS CLI: CreateKey and its refusals, DescribeKey
 * by every kind of identifier and AWS's NotFound texts, ListKeys paging, descriptions,
 * Enable/Disable, the deletion window (and that a key is really deleted when it ends), tags
 * and aliases.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  EnableKeyCommand, EncryptCommand, ListAliasesCommand, ListKeysCommand, ListResourceTagsCommand, ScheduleKeyDeletionCommand,
  TagResourceCommand, UntagResourceCommand, UpdateAliasCommand, UpdateKeyDescriptionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { eventually, kmsClient, makeDue } from './helpers/kms.ts';

const PLAINTEXT = Buffer.from('hello');

describe('KMS keys', () => {
  let server: TestServer;
  let kms: KMSClient;
  const arnOf = (keyId: string) => `arn:aws:kms:us-east-1:${server.accountId}:key/${keyId}`;
  const newKey = async (description = '') => (await kms.send(new CreateKeyCommand({ Description: description }))).KeyMetadata!;

  before(async () => {
    server = await startServer();
    kms = kmsClient(server);
  });
  after(() => server.destroy());

  test('CreateKey returns AWS\'s KeyMetadata for a symmetric customer managed key', async () => {
    const before = Date.now();
    const meta = (await kms.send(new CreateKeyCommand({ Description: 'test key 123' }))).KeyMetadata!;
    assert.match(meta.KeyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual({ ...meta, CreationDate: undefined, CurrentKeyMaterialId: undefined }, {
      AWSAccountId: server.accountId,
      KeyId: meta.KeyId,
      Arn: arnOf(meta.KeyId!),
      CreationDate: undefined,
      Enabled: true,
      Description: 'test key 123',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: undefined,
    });
    assert.ok(meta.CreationDate!.getTime() >= before - 1000 && meta.CreationDate!.getTime() <= Date.now() + 1000);
    assert.match(meta.CurrentKeyMaterialId!, /^[0-9a-f]{64}$/);
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.deepEqual(described, meta);
  });

  test('CreateKey refuses what coffer does not make, as a Region refuses what it does not offer', async () => {
    await rejectsWith(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })), 'ValidationException',
      "1 validation error detected: Value 'RSA_2048' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT]");
    await rejectsWith(kms.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' })), 'ValidationException', 'KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT');
    await rejectsWith(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_9' as never })), 'ValidationException', /Value 'HMAC_9' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    await rejectsWith(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })), 'UnsupportedOperationException');
    await rejectsWith(kms.send(new CreateKeyCommand({ MultiRegion: true })), 'UnsupportedOperationException');
    await rejectsWith(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:x', TagValue: 'y' }] })), 'TagException', 'Tags beginning with aws: are reserved');
    await rejectsWith(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] })), 'TagException', 'Duplicate tag keys');
    const { Keys } = await kms.send(new ListKeysCommand({}));
    for (const k of Keys!) {
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!;
      assert.notEqual(meta.Origin, 'EXTERNAL', 'a refused CreateKey made no key');
    }
  });

  test('DescribeKey by key id, key ARN, alias name and alias ARN; AWS\'s NotFound texts otherwise', async () => {
    const meta = await newKey('named');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/described', TargetKeyId: meta.KeyId }));
    const aliasArn = `arn:aws:kms:us-east-1:${server.accountId}:alias/described`;
    for (const ref of [meta.KeyId!, meta.Arn!, 'alias/described', aliasArn]) {
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: ref }))).KeyMetadata!.KeyId, meta.KeyId, ref);
    }
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })), 'NotFoundException', "Invalid keyId 'fake-key-id'");
    const missing = '11111111-2222-3333-4444-555555555555';
    const err = await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: missing })), 'NotFoundException', `Key '${arnOf(missing)}' does not exist`);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: arnOf(missing) })), 'NotFoundException', `Key '${arnOf(missing)}' does not exist`);
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: meta.Arn!.replace('us-east-1', 'ap-southeast-1') })), 'NotFoundException', 'Invalid arn ap-southeast-1');
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })), 'NotFoundException',
      `Alias arn:aws:kms:us-east-1:${server.accountId}:alias/nope is not found.`);
  });

  test('the AWS managed key aws/secretsmanager is created on first DescribeKey, AWS-managed and listed', async () => {
    const meta = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }))).KeyMetadata!;
    assert.equal(meta.KeyManager, 'AWS');
    assert.equal(meta.Description, 'Default key that protects my Secrets Manager data when no other key is defined');
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }))).KeyMetadata!.KeyId, meta.KeyId, 'once');
    const { Aliases } = await kms.send(new ListAliasesCommand({ KeyId: meta.KeyId }));
    assert.deepEqual(Aliases!.map((a) => a.AliasName), ['alias/aws/secretsmanager']);
    // Customer-only operations are not the account's to make on it: its key policy does not allow them.
    await rejectsWith(kms.send(new DisableKeyCommand({ KeyId: meta.KeyId })), 'AccessDeniedException',
      `User: arn:aws:iam::${server.accountId}:root is not authorized to perform: kms:DisableKey on resource: ${meta.Arn} because no resource-based policy allows the kms:DisableKey action`);
    await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId })), 'AccessDeniedException');
    await rejectsWith(kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })), 'AccessDeniedException');
  });

  test('ListKeys pages with Limit and Marker and reports Truncated', async () => {
    for (let i = 0; i < 3; i++) await newKey(`page ${i}`);
    const all = (await kms.send(new ListKeysCommand({}))).Keys!;
    assert.ok(all.length >= 3);
    for (const k of all) assert.equal(k.KeyArn, arnOf(k.KeyId!));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const out = await kms.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      assert.ok(out.Keys!.length <= 2);
      seen.push(...out.Keys!.map((k) => k.KeyId!));
      assert.equal(out.Truncated, out.NextMarker !== undefined);
      marker = out.NextMarker;
    } while (marker);
    assert.deepEqual(seen.sort(), all.map((k) => k.KeyId!).sort());
    await rejectsWith(kms.send(new ListKeysCommand({ Limit: 0 })), 'ValidationException',
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  test('UpdateKeyDescription, DisableKey and EnableKey change what DescribeKey shows', async () => {
    const meta = await newKey('before');
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.KeyId, Description: 'after' }));
    await kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
    let now = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.deepEqual([now.Description, now.KeyState, now.Enabled], ['after', 'Disabled', false]);
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: PLAINTEXT })), 'DisabledException', `${meta.Arn} is disabled.`);
    await kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
    await kms.send(new EnableKeyCommand({ KeyId: meta.KeyId }));
    now = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.deepEqual([now.KeyState, now.Enabled], ['Enabled', true]);
    await kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: PLAINTEXT }));
  });

  test('ScheduleKeyDeletion: 7–30 days, PendingDeletion refuses use and changes; CancelKeyDeletion leaves it Disabled', async () => {
    const meta = await newKey('doomed');
    for (const days of [6, 31]) {
      await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: days })), 'ValidationException',
        `PendingWindowInDays should be between 7 and 30, but it is ${days}`);
    }
    await rejectsWith(kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', `${meta.Arn} is not pending deletion.`);
    const at = Date.now();
    const out = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId, PendingWindowInDays: 7 }));
    assert.equal(out.KeyId, meta.Arn);
    assert.equal(out.KeyState, 'PendingDeletion');
    assert.equal(out.PendingWindowInDays, 7);
    assert.ok(Math.abs(out.DeletionDate!.getTime() - (at + 7 * 86_400_000)) < 5000);
    const pending = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.deepEqual([pending.KeyState, pending.Enabled, pending.DeletionDate?.getTime()], ['PendingDeletion', false, out.DeletionDate!.getTime()]);
    const state = `${meta.Arn} is pending deletion.`;
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: PLAINTEXT })), 'KMSInvalidStateException', state);
    await rejectsWith(kms.send(new EnableKeyCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', state);
    await rejectsWith(kms.send(new ScheduleKeyDeletionCommand({ KeyId: meta.KeyId })), 'KMSInvalidStateException', state);
    await rejectsWith(kms.send(new UpdateKeyDescriptionCommand({ KeyId: meta.KeyId, Description: 'x' })), 'KMSInvalidStateException', state);
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/to-doomed', TargetKeyId: meta.KeyId })), 'KMSInvalidStateException', state);
    const cancelled = await kms.send(new CancelKeyDeletionCommand({ KeyId: meta.KeyId }));
    assert.equal(cancelled.KeyId, meta.Arn);
    const back = (await kms.send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
    assert.deepEqual([back.KeyState, back.Enabled, back.DeletionDate], ['Disabled', false, undefined]);
  });

  test('a key whose waiting period has ended is deleted, with its aliases; others stay', async () => {
    const doomed = await newKey('gone soon');
    const kept = await newKey('kept');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: kept.KeyId, PendingWindowInDays: 30 }));
    await makeDue(server, doomed.KeyId!, 'deletion_date');
    await eventually(async () => {
      try {
        await kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId }));
        return undefined;
      } catch (err) {
        return (err as Error).name === 'NotFoundException' ? true : undefined;
      }
    }, 'the key is deleted');
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })), 'NotFoundException', `Key '${doomed.Arn}' does not exist`);
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), 'NotFoundException', /alias\/doomed is not found\.$/);
    assert.ok(!(await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.some((k) => k.KeyId === doomed.KeyId));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: kept.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
  });

  test('TagResource adds and overwrites, UntagResource removes (unknown keys are fine), ListResourceTags lists', async () => {
    const meta = (await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'core' }] }))).KeyMetadata!;
    await kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'infra' }] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }))).Tags, [
      { TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'infra' },
    ]);
    const paged = await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId, Limit: 1 }));
    assert.deepEqual([paged.Tags!.length, paged.Truncated], [1, true]);
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId, Marker: paged.NextMarker }))).Tags, [{ TagKey: 'team', TagValue: 'infra' }]);
    await kms.send(new UntagResourceCommand({ KeyId: meta.KeyId, TagKeys: ['env', 'never-there'] }));
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'infra' }]);
    await rejectsWith(kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })), 'TagException', 'Tags beginning with aws: are reserved');
    const many = Array.from({ length: 50 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    await rejectsWith(kms.send(new TagResourceCommand({ KeyId: meta.KeyId, Tags: many })), 'TagException', 'Too many tags');
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: meta.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'infra' }], 'a refused TagResource changes nothing');
  });

  test('aliases: create, list, update to another key, delete — with AWS\'s refusals', async () => {
    const one = await newKey('one');
    const two = await newKey('two');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: one.KeyId }));
    const listed = (await kms.send(new ListAliasesCommand({ KeyId: one.KeyId }))).Aliases!;
    assert.equal(listed.length, 1);
    assert.deepEqual({ ...listed[0], CreationDate: undefined, LastUpdatedDate: undefined }, {
      AliasName: 'alias/app', AliasArn: `arn:aws:kms:us-east-1:${server.accountId}:alias/app`, TargetKeyId: one.KeyId,
      CreationDate: undefined, LastUpdatedDate: undefined,
    });
    assert.ok(listed[0]!.CreationDate instanceof Date);
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: two.KeyId })), 'AlreadyExistsException',
      `An alias with the name arn:aws:kms:us-east-1:${server.accountId}:alias/app already exists`);
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'app', TargetKeyId: two.KeyId })), 'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: two.KeyId })), 'NotAuthorizedException');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/other', TargetKeyId: 'alias/app' })), 'ValidationException', 'Aliases must refer to keys. Not aliases');
    await rejectsWith(kms.send(new CreateAliasCommand({ AliasName: 'alias/bad name', TargetKeyId: two.KeyId })), 'ValidationException', /at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern/);

    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: two.KeyId }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId, two.KeyId);
    assert.deepEqual((await kms.send(new ListAliasesCommand({ KeyId: one.KeyId }))).Aliases, []);
    await rejectsWith(kms.send(new UpdateAliasCommand({ AliasName: 'alias/none', TargetKeyId: two.KeyId })), 'NotFoundException',
      `Alias arn:aws:kms:us-east-1:${server.accountId}:alias/none is not found.`);

    const all = (await kms.send(new ListAliasesCommand({}))).Aliases!;
    assert.ok(all.some((a) => a.AliasName === 'alias/app' && a.TargetKeyId === two.KeyId));
    const names = all.map((a) => a.AliasName!);
    assert.deepEqual(names, [...names].sort(), 'sorted by name');
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
    await rejectsWith(kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' })), 'NotFoundException',
      `Alias arn:aws:kms:us-east-1:${server.accountId}:alias/app is not found.`);
    await rejectsWith(kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' })), 'NotFoundException');
  });

  test('the AWS CLI creates, describes, lists and schedules deletion of a key', async () => {
    const created = await awsCli(server, ['kms', 'create-key', '--description', 'from the cli', '--tags', 'TagKey=owner,TagValue=cli']);
    assert.equal(created.code, 0, created.stderr);
    const keyId = created.json.KeyMetadata.KeyId as string;
    assert.equal(created.json.KeyMetadata.KeyState, 'Enabled');
    const alias = await awsCli(server, ['kms', 'create-alias', '--alias-name', 'alias/cli', '--target-key-id', keyId]);
    assert.equal(alias.code, 0, alias.stderr);
    const described = await awsCli(server, ['kms', 'describe-key', '--key-id', 'alias/cli']);
    assert.equal(described.json.KeyMetadata.Description, 'from the cli');
    const tags = await awsCli(server, ['kms', 'list-resource-tags', '--key-id', keyId]);
    assert.deepEqual(tags.json.Tags, [{ TagKey: 'owner', TagValue: 'cli' }]);
    const missing = await awsCli(server, ['kms', 'describe-key', '--key-id', 'nope']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /An error occurred \(NotFoundException\) when calling the DescribeKey operation: Invalid keyId 'nope'/);
    const scheduled = await awsCli(server, ['kms', 'schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7']);
    assert.equal(scheduled.json.KeyState, 'PendingDeletion');
  });
});
