/**
 * The `kms` provider: the root key is 32 random bytes, recorded in the database only as the
 * ciphertext blob KMS Encrypt returned for it, and unwrapped with KMS Decrypt at each start.
 * Any AWS-KMS-compatible endpoint works: AWS KMS itself, or another coffer's KMS API.
 * The encryption context names the purpose and generation, so a blob copied from elsewhere
 * (or another generation's) does not decrypt as this one, and CloudTrail shows what asked.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { KEY_BYTES, newKey } from './aead.ts';
import { StartupError } from '../config.ts';
import type { KmsRecord, KmsRootKeyOptions, RootKeySource } from './root-key-source.ts';

export function kmsContext(generation: number): Record<string, string> {
  return { 'coffer:purpose': 'root-key', 'coffer:root-key-generation': String(generation) };
}

function regionOf(opts: KmsRootKeyOptions, keyId: string | undefined): string | undefined {
  return opts.region ?? (keyId ? /^arn:[^:]+:kms:([^:]+):/.exec(keyId)?.[1] : undefined);
}

function client(opts: KmsRootKeyOptions, keyId: string | undefined): KMSClient {
  // The SDK warns on Node.js 20 that its releases after January 2027 will need Node.js 22;
  // coffer pins its SDK version, and the raw text would break the JSON logs on stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const ca = opts.caBundle ? readCa(opts.caBundle) : undefined;
  return new KMSClient({
    endpoint: opts.endpoint,
    region: regionOf(opts, keyId),
    profile: opts.profile,
    credentials: opts.accessKeyId && opts.secretAccessKey
      ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey, sessionToken: opts.sessionToken }
      : undefined,
    maxAttempts: 3,
    // A start must not hang on an unreachable endpoint.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000, ...(ca ? { httpsAgent: new Agent({ ca, keepAlive: false }) } : {}) },
  });
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new StartupError(`cannot read the KMS CA bundle ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function where(opts: KmsRootKeyOptions): string {
  return opts.endpoint ? `at ${opts.endpoint}` : `in ${opts.region ?? 'the default region'}`;
}

/** An SDK failure as an operator reads it: the error code and message, never the blob. */
function failure(action: string, keyId: string | undefined, opts: KmsRootKeyOptions, err: unknown): StartupError {
  const e = err as { name?: string; message?: string; code?: string };
  const what = [e.name && e.name !== 'Error' ? e.name : e.code, e.message].filter(Boolean).join(': ');
  return new StartupError(`KMS ${action} of the root key with ${keyId ?? 'the KMS key'} ${where(opts)} failed: ${what || String(err)}`);
}

/** A new generation: a random key, encrypted by KMS (and decrypted once, to prove a start will succeed). */
export async function createKmsRootKey(source: RootKeySource, generation: number): Promise<{ key: Buffer; record: KmsRecord }> {
  const opts = source.kms;
  if (!opts.keyId) throw new StartupError(`the kms root key provider needs ${source.naming.flag}root-key-kms-key-id (${source.naming.env}ROOT_KEY_KMS_KEY_ID) to create a root key`);
  const key = newKey();
  const context = kmsContext(generation);
  const kms = client(opts, opts.keyId);
  try {
    let encrypted;
    try {
      encrypted = await kms.send(new EncryptCommand({ KeyId: opts.keyId, Plaintext: key, EncryptionContext: context }));
    } catch (err) {
      throw failure('Encrypt', opts.keyId, opts, err);
    }
    if (!encrypted.CiphertextBlob || !encrypted.KeyId) throw new StartupError(`KMS Encrypt ${where(opts)} returned no ciphertext`);
    const record: KmsRecord = {
      kind: 'kms', keyId: encrypted.KeyId, ciphertextBlob: Buffer.from(encrypted.CiphertextBlob).toString('base64'), encryptionContext: context,
    };
    const back = await decryptWith(kms, record, opts);
    if (!back.equals(key)) throw new StartupError(`KMS ${where(opts)} decrypted the new root key to something else`);
    return { key, record };
  } finally {
    kms.destroy();
  }
}

/** The key of a recorded generation, from KMS Decrypt. */
export async function unwrapKmsRootKey(source: RootKeySource, record: KmsRecord): Promise<Buffer> {
  if (!record.ciphertextBlob) throw new StartupError(`root key generation under KMS key ${record.keyId} was retired and its ciphertext removed`);
  const kms = client(source.kms, source.kms.keyId ?? record.keyId);
  try {
    return await decryptWith(kms, record, source.kms);
  } finally {
    kms.destroy();
  }
}

async function decryptWith(kms: KMSClient, record: KmsRecord, opts: KmsRootKeyOptions): Promise<Buffer> {
  // KeyId pins the key: a blob under another key is refused (IncorrectKeyException), not tried.
  const keyId = opts.keyId ?? record.keyId;
  let out;
  try {
    out = await kms.send(new DecryptCommand({
      CiphertextBlob: Buffer.from(record.ciphertextBlob!, 'base64'), KeyId: keyId, EncryptionContext: record.encryptionContext,
    }));
  } catch (err) {
    throw failure('Decrypt', keyId, opts, err);
  }
  if (!out.Plaintext || out.Plaintext.length !== KEY_BYTES) throw new StartupError(`KMS Decrypt ${where(opts)} did not return a 256-bit root key`);
  return Buffer.from(out.Plaintext);
}
