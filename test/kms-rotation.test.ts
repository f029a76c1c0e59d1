/**
 * Key rotation through the real JS SDK and the AWS CLI: automatic rotation on and off with
 * its period and next date, on-demand rotation (and its limit), ListKeyRotations, that every
 * ciphertext made before a rotation still decrypts, and that a due automatic rotation really
 * happens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand,
  EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand, ListKeyRotationsCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { eventually, kmsClient, makeDue } from './helpers/kms.ts';

const DAY = 86_400_000;

describe('KMS key rotation', () => {
  let server: TestServer;
  let kms: KMSClient;
  const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const decrypts = async (blob: Uint8Array | undefined, expected: string) =>
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), expected);

  before(async () => {
    server = await startServer();
    kms = kmsClient(server);
  });
  after(() => server.destroy());

  test('rotation is off by default; EnableKeyRotation sets the period (default 365) and the next date', async () => {
    const key = await newKey();
    assert.deepEqual(await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })).then((r) => ({ ...r, $metadata: undefined })),
      { $metadata: undefined, KeyRotationEnabled: false, KeyId: key.Arn });
    let at = Date.now();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    let status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.deepEqual([status.KeyRotationEnabled, status.RotationPeriodInDays], [true, 365]);
    assert.ok(Math.abs(status.NextRotationDate!.getTime() - (at + 365 * DAY)) < 5000);
    at = Date.now();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.equal(status.RotationPeriodInDays, 90);
    assert.ok(Math.abs(status.NextRotationDate!.getTime() - (at + 90 * DAY)) < 5000);
    for (const days of [89, 2561]) {
      await rejectsWith(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: days })), 'ValidationException',
        new RegExp(`Value '${days}' at 'rotationPeriodInDays' failed to satisfy constraint`));
    }
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.deepEqual([status.KeyRotationEnabled, status.RotationPeriodInDays, status.NextRotationDate], [false, undefined, undefined]);
  });

  test('a disabled key or one pending deletion refuses rotation changes', async () => {
    const key = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    for (const command of [new EnableKeyRotationCommand({ KeyId: key.KeyId }), new DisableKeyRotationCommand({ KeyId: key.KeyId }), new RotateKeyOnDemandCommand({ KeyId: key.KeyId })]) {
      await rejectsWith(kms.send(command as never), 'DisabledException', `${key.Arn} is disabled.`);
    }
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled, false, 'the status is still readable');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await rejectsWith(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', `${key.Arn} is pending deletion.`);
    await rejectsWith(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', `${key.Arn} is pending deletion.`);
  });

  test('RotateKeyOnDemand makes new material current; ciphertexts from before still decrypt; ListKeyRotations lists it', async () => {
    const key = await newKey();
    const before = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('old material'), EncryptionContext: { v: '1' } }));
    assert.deepEqual((await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations, []);
    const out = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    assert.equal(out.KeyId, key.Arn);
    const after = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('new material') }));
    const current = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    assert.notEqual(current, key.CurrentKeyMaterialId, 'the current material changed');
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob, EncryptionContext: { v: '1' } }))).Plaintext!).toString(), 'old material');
    await decrypts(after.CiphertextBlob, 'new material');
    const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
    assert.equal(rotations.length, 1);
    assert.deepEqual({ ...rotations[0], RotationDate: undefined }, {
      KeyId: key.Arn, KeyMaterialId: current, KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND', RotationDate: undefined,
    });
    assert.ok(Math.abs(rotations[0]!.RotationDate!.getTime() - Date.now()) < 60_000);
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    assert.deepEqual(all.map((r) => [r.KeyMaterialId, r.KeyMaterialState]), [[key.CurrentKeyMaterialId, 'NON_CURRENT'], [current, 'CURRENT']]);
  });

  test('on-demand rotation stops at ten per key with LimitExceededException; all ten older ciphertexts decrypt', async () => {
    const key = await newKey();
    const blobs: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      blobs.push((await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from(`generation ${i}`) }))).CiphertextBlob!);
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    }
    await rejectsWith(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`);
    for (let i = 0; i < 10; i++) await decrypts(blobs[i], `generation ${i}`);
    const page1 = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 4 }));
    assert.deepEqual([page1.Rotations!.length, page1.Truncated], [4, true]);
    const page2 = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 100, Marker: page1.NextMarker }));
    assert.deepEqual([page2.Rotations!.length, page2.Truncated], [6, false]);
  });

  test('a due automatic rotation happens on its own and moves the next date one period on', async () => {
    const key = await newKey();
    const before = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before the rotation') }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const disabledKey = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: disabledKey.KeyId }));
    await kms.send(new DisableKeyCommand({ KeyId: disabledKey.KeyId }));
    await makeDue(server, key.KeyId!, 'next_rotation_at');
    await makeDue(server, disabledKey.KeyId!, 'next_rotation_at');
    const rotation = await eventually(async () => (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations![0], 'the key rotates');
    assert.equal(rotation.RotationType, 'AUTOMATIC');
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.ok(Math.abs(status.NextRotationDate!.getTime() - (rotation.RotationDate!.getTime() + 90 * DAY)) < 5000);
    await decrypts(before.CiphertextBlob, 'before the rotation');
    assert.deepEqual((await kms.send(new ListKeyRotationsCommand({ KeyId: disabledKey.KeyId }))).Rotations, [], 'a disabled key does not rotate');
    // Re-enabled past its date, it rotates at once.
    await kms.send(new EnableKeyCommand({ KeyId: disabledKey.KeyId }));
    await eventually(async () => (await kms.send(new ListKeyRotationsCommand({ KeyId: disabledKey.KeyId }))).Rotations![0], 'the re-enabled key rotates');
  });

  test('the AWS CLI enables rotation and reads its status', async () => {
    const key = await newKey();
    const enabled = await awsCli(server, ['kms', 'enable-key-rotation', '--key-id', key.KeyId!]);
    assert.equal(enabled.code, 0, enabled.stderr);
    const status = await awsCli(server, ['kms', 'get-key-rotation-status', '--key-id', key.KeyId!]);
    assert.equal(status.json.KeyRotationEnabled, true);
    // Debian's CLI 2.9 predates RotateKeyOnDemand and rotation periods; the SDK tests cover them.
  });
});
