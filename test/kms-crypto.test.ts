/**
 * KMS's cryptographic operations through the real JS SDK and the AWS CLI: Encrypt/Decrypt
 * with the encryption context bound, GenerateDataKey(WithoutPlaintext), ReEncrypt,
 * GenerateRandom, and every refusal AWS makes (InvalidCiphertext without a message,
 * IncorrectKey, DisabledException, KMSInvalidStateException, DryRun, validation).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand, GenerateRandomCommand, ReEncryptCommand, ScheduleKeyDeletionCommand, type KMSClient, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { kmsClient } from './helpers/kms.ts';

const text = (b: Uint8Array | undefined) => Buffer.from(b!).toString('utf8');
/**
 * AWS sends InvalidCiphertextException without a message (botocore shows ''); the JS SDK
 * then names the message "UnknownError".
 */
const NO_MESSAGE = 'UnknownError';

describe('KMS cryptographic operations', () => {
  let server: TestServer;
  let kms: KMSClient;
  let key: KeyMetadata;
  let other: KeyMetadata;

  before(async () => {
    server = await startServer();
    kms = kmsClient(server);
    key = (await kms.send(new CreateKeyCommand({ Description: 'crypto' }))).KeyMetadata!;
    other = (await kms.send(new CreateKeyCommand({ Description: 'other' }))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/crypto', TargetKeyId: key.KeyId }));
  });
  after(() => server.destroy());

  test('Encrypt then Decrypt, with no KeyId needed: the blob names its key', async () => {
    for (const ref of [key.KeyId!, key.Arn!, 'alias/crypto', `arn:aws:kms:us-east-1:${server.accountId}:alias/crypto`]) {
      const enc = await kms.send(new EncryptCommand({ KeyId: ref, Plaintext: Buffer.from('hello') }));
      assert.equal(enc.KeyId, key.Arn);
      assert.equal(enc.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
      assert.ok(!Buffer.from(enc.CiphertextBlob!).includes(Buffer.from('hello')), 'the blob does not hold the plaintext');
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
      assert.deepEqual([text(dec.Plaintext), dec.KeyId, dec.EncryptionAlgorithm], ['hello', key.Arn, 'SYMMETRIC_DEFAULT']);
      assert.equal(dec.KeyMaterialId, key.CurrentKeyMaterialId);
    }
  });

  test('the encryption context is bound: Decrypt needs the same pairs, in any order, and nothing else', async () => {
    const context = { tenant: 'a', purpose: 'test' };
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('bound'), EncryptionContext: context }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'a' } }));
    assert.equal(text(dec.Plaintext), 'bound');
    const wrongContexts: (Record<string, string> | undefined)[] = [undefined, {}, { tenant: 'a' }, { tenant: 'b', purpose: 'test' }, { ...context, extra: 'x' }];
    for (const wrong of wrongContexts) {
      const err = await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: wrong })), 'InvalidCiphertextException', NO_MESSAGE);
      assert.equal(err.$metadata?.httpStatusCode, 400);
    }
    // No context and an empty context are the same context.
    const bare = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('bare') }));
    assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: bare.CiphertextBlob, EncryptionContext: {} }))).Plaintext), 'bare');
  });

  test('a tampered or foreign blob is InvalidCiphertextException; a KeyId naming another key is IncorrectKeyException', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    const tampered = Buffer.from(enc.CiphertextBlob!);
    tampered[tampered.length - 1] ^= 1;
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException', NO_MESSAGE);
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a ciphertext at all') })), 'InvalidCiphertextException', NO_MESSAGE);
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other.KeyId })), 'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.');
    assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: 'alias/crypto' }))).Plaintext), 'x');
  });

  test('GenerateDataKey gives a data key and its blob; Decrypt opens the blob; the WithoutPlaintext form gives only the blob', async () => {
    const context = { app: 'demo' };
    const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/crypto', KeySpec: 'AES_256', EncryptionContext: context }));
    assert.equal(dk.Plaintext!.length, 32);
    assert.equal(dk.KeyId, key.Arn);
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }));
    assert.deepEqual(Buffer.from(opened.Plaintext!), Buffer.from(dk.Plaintext!));
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' }))).Plaintext!.length, 16);
    assert.equal((await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 7 }))).Plaintext!.length, 7);
    const blobOnly = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 64 }));
    assert.equal((blobOnly as { Plaintext?: unknown }).Plaintext, undefined);
    assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: blobOnly.CiphertextBlob }))).Plaintext!.length, 64);
    for (const input of [{}, { KeySpec: 'AES_256' as const, NumberOfBytes: 32 }]) {
      await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, ...input })), 'ValidationException', 'Please specify either number of bytes or key spec.');
    }
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 1025 })), 'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
  });

  test('ReEncrypt moves a ciphertext to another key and context without showing the plaintext', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('moved'), EncryptionContext: { from: '1' } }));
    const re = await kms.send(new ReEncryptCommand({
      CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { from: '1' }, DestinationKeyId: other.KeyId, DestinationEncryptionContext: { to: '2' },
    }));
    assert.deepEqual([re.SourceKeyId, re.KeyId, re.SourceEncryptionAlgorithm, re.DestinationEncryptionAlgorithm], [key.Arn, other.Arn, 'SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT']);
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { to: '2' } }));
    assert.deepEqual([text(dec.Plaintext), dec.KeyId], ['moved', other.Arn]);
    await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: other.KeyId })), 'InvalidCiphertextException', NO_MESSAGE);
    await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceKeyId: other.KeyId, SourceEncryptionContext: { from: '1' }, DestinationKeyId: other.KeyId })),
      'IncorrectKeyException');
  });

  test('GenerateRandom returns the bytes asked for; out of range or missing is a ValidationException', async () => {
    for (const n of [1, 44, 1024]) assert.equal((await kms.send(new GenerateRandomCommand({ NumberOfBytes: n }))).Plaintext!.length, n);
    await rejectsWith(kms.send(new GenerateRandomCommand({})), 'ValidationException', 'NumberOfBytes is required.');
    await rejectsWith(kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })), 'ValidationException',
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
    await rejectsWith(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), 'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
  });

  test('plaintext limits, algorithms and DryRun are checked as AWS checks them', async () => {
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4097) })), 'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'InvalidKeyUsageException', 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.');
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true })),
      'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: '11111111-2222-3333-4444-555555555555', Plaintext: Buffer.from('x') })), 'NotFoundException');
  });

  test('a disabled key encrypts and decrypts nothing until enabled again; a key pending deletion nothing at all', async () => {
    const k = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const enc = await kms.send(new EncryptCommand({ KeyId: k.KeyId, Plaintext: Buffer.from('kept') }));
    await kms.send(new DisableKeyCommand({ KeyId: k.KeyId }));
    const disabled = `${k.Arn} is disabled.`;
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'DisabledException', disabled);
    await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: k.KeyId, KeySpec: 'AES_256' })), 'DisabledException', disabled);
    await rejectsWith(kms.send(new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: key.KeyId })), 'DisabledException', disabled);
    await kms.send(new EnableKeyCommand({ KeyId: k.KeyId }));
    assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext), 'kept');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: k.KeyId, PendingWindowInDays: 7 }));
    await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'KMSInvalidStateException', `${k.Arn} is pending deletion.`);
    await rejectsWith(kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: k.KeyId, KeySpec: 'AES_256' })), 'KMSInvalidStateException', `${k.Arn} is pending deletion.`);
  });

  test('the AWS CLI encrypts and decrypts with a context (base64 blobs)', async () => {
    const enc = await awsCli(server, ['kms', 'encrypt', '--key-id', 'alias/crypto', '--plaintext', Buffer.from('from the cli').toString('base64'), '--encryption-context', 'stage=test']);
    assert.equal(enc.code, 0, enc.stderr);
    assert.equal(enc.json.KeyId, key.Arn);
    const dec = await awsCli(server, ['kms', 'decrypt', '--ciphertext-blob', enc.json.CiphertextBlob, '--encryption-context', 'stage=test']);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(Buffer.from(dec.json.Plaintext, 'base64').toString(), 'from the cli');
    const wrong = await awsCli(server, ['kms', 'decrypt', '--ciphertext-blob', enc.json.CiphertextBlob]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /InvalidCiphertextException/);
    const random = await awsCli(server, ['kms', 'generate-random', '--number-of-bytes', '16']);
    assert.equal(Buffer.from(random.json.Plaintext, 'base64').length, 16);
  });
});
