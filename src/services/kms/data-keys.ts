/**
 * GenerateDataKey, Encrypt-of-a-data-key and Decrypt as the services inside coffer call them
 * (Secrets Manager asks KMS, exactly as in AWS). Authorization is the caller's business
 * (`keyUseRequest` in key-access.ts, asked before these run); these check the key's state on
 * every call and answer with KMS's own errors, which the calling service translates.
 */
import { randomBytes } from 'node:crypto';
import { open, seal, SealError } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';
import { contextAad, decodeBlob, encodeBlob } from './ciphertext-blob.ts';
import { dataKeyCacheId, type DataKeyCache } from './data-key-cache.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { KeyStore, KmsKey } from './key-store.ts';

export type EncryptionContext = Readonly<Record<string, string>>;
type Db = Kysely<Database> | Transaction<Database>;

export interface DataKey {
  plaintext: Buffer;
  ciphertextBlob: Buffer;
  keyArn: string;
}

/** KMS's error for using a key in a state that allows no cryptography; undefined when Enabled. */
export function keyStateError(key: KmsKey): AwsError | undefined {
  switch (key.keyState) {
    case 'Enabled':
      return undefined;
    case 'Disabled':
      return new AwsError('DisabledException', `${key.arn} is disabled.`);
    case 'PendingDeletion':
      return new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    default:
      return new AwsError('KMSInvalidStateException', `${key.arn} is ${String(key.keyState)}.`);
  }
}

export function requireUsable(key: KmsKey): void {
  const error = keyStateError(key);
  if (error) throw error;
}

/** KMS's NotFoundException for a key id or key ARN that names no key. */
export function keyNotFound(keyArn: string): AwsError {
  return new AwsError('NotFoundException', `Key '${keyArn}' does not exist`);
}

/** KMS's NotFoundException for an alias that points nowhere. */
export function aliasNotFound(aliasArn: string): AwsError {
  return new AwsError('NotFoundException', `Alias ${aliasArn} is not found.`);
}

function wrap(material: Buffer, key: KmsKey, plaintext: Buffer, context: EncryptionContext): Buffer {
  const sealed = seal(material, plaintext, contextAad(key.arn, context));
  return encodeBlob({ keyId: key.keyId, materialVersion: key.currentMaterial, sealed });
}

export async function generateDataKey(store: KeyStore, key: KmsKey, context: EncryptionContext): Promise<DataKey> {
  requireUsable(key);
  const material = await store.material(key, key.currentMaterial);
  const plaintext = randomBytes(32);
  return { plaintext, ciphertextBlob: wrap(material, key, plaintext, context), keyArn: key.arn };
}

/**
 * Wraps a data key that exists already under `key` (KMS Encrypt of the data key, the second
 * half of ReEncrypt): Secrets Manager moves a version to a new KMS key this way, keeping the
 * value's ciphertext as it is.
 */
export async function encryptDataKey(store: KeyStore, key: KmsKey, plaintext: Buffer, context: EncryptionContext, db?: Db): Promise<Buffer> {
  requireUsable(key);
  const material = await store.material(key, key.currentMaterial, db);
  return wrap(material, key, plaintext, context);
}

/** The key a ciphertext blob names; undefined for bytes that are no blob of ours. */
export function blobKeyId(blob: Buffer): string | undefined {
  return decodeBlob(blob)?.keyId;
}

export interface DecryptOptions {
  /** The caller's transaction, when it decrypts while holding one. */
  db?: Db;
  /** Unwrapped keys kept briefly in memory (see data-key-cache.ts). */
  cache?: DataKeyCache;
  /** The blob's key, when the caller looked it up already (to authorize its use). */
  key?: KmsKey;
}

/**
 * Unwraps a data key. The key's state is checked on every call, cached or not. The plaintext
 * returned is the caller's own copy: zero it when done.
 */
export async function decryptDataKey(
  store: KeyStore, blob: Buffer, context: EncryptionContext, options: DecryptOptions = {},
): Promise<{ plaintext: Buffer; key: KmsKey }> {
  const decoded = decodeBlob(blob);
  if (!decoded) throw new AwsError('InvalidCiphertextException', '');
  const key = options.key?.keyId === decoded.keyId ? options.key : await store.getKey(decoded.keyId, options.db);
  if (!key) throw new AwsError('InvalidCiphertextException', '');
  requireUsable(key);
  const cache = options.cache?.enabled ? options.cache : undefined;
  const cacheId = cache && dataKeyCacheId(blob, context);
  const hit = cacheId && cache.get(cacheId);
  if (hit) return { plaintext: hit, key };
  const material = await store.material(key, decoded.materialVersion, options.db);
  let plaintext: Buffer;
  try {
    plaintext = open(material, decoded.sealed, contextAad(key.arn, context));
  } catch (err) {
    if (err instanceof SealError) throw new AwsError('InvalidCiphertextException', '');
    throw err;
  }
  if (cacheId) cache.put(cacheId, plaintext);
  return { plaintext, key };
}
