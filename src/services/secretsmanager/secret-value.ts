/**
 * The envelope around one secret version: KMS gives a fresh data key per version (with the
 * secret ARN and version id as encryption context, as AWS does), the value is sealed with
 * it under AES-256-GCM with the same pair as additional data, and only the KMS-wrapped data
 * key is stored. Whether the caller may use the KMS key is decided before these run
 * (secret-kms.ts); these do the cryptography.
 */
import { open, seal, SealError } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';
import { decryptDataKey, generateDataKey } from '../kms/data-keys.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { KmsKey } from '../kms/key-store.ts';
import type { SecretsManagerDeps } from './deps.ts';
import { decryptionFailure, encryptionContext, encryptionFailure } from './secret-kms.ts';

export type SecretValue = { kind: 'string'; text: string } | { kind: 'binary'; bytes: Buffer };

export interface SealedValue {
  encryptedDataKey: Buffer;
  ciphertext: Buffer;
  kind: 'string' | 'binary';
}

const aad = (arn: string, versionId: string) => `${arn}\n${versionId}`;
const CANT_DECRYPT = "Secrets Manager can't decrypt the protected secret text using the provided KMS key.";

function bytesOf(value: SecretValue): Buffer {
  return value.kind === 'string' ? Buffer.from(value.text, 'utf8') : value.bytes;
}

/** `key` was authorized for kms:GenerateDataKey by the caller (keyForNewVersion). */
export async function sealValue(deps: SecretsManagerDeps, key: KmsKey, arn: string, versionId: string, value: SecretValue): Promise<SealedValue> {
  let dataKey;
  try {
    dataKey = await generateDataKey(deps.keys, key, encryptionContext(arn, versionId));
  } catch (err) {
    if (err instanceof AwsError) throw encryptionFailure(err);
    throw err;
  }
  const ciphertext = seal(dataKey.plaintext, bytesOf(value), aad(arn, versionId));
  dataKey.plaintext.fill(0);
  return { encryptedDataKey: dataKey.ciphertextBlob, ciphertext, kind: value.kind };
}

/**
 * `key`: the blob's key, the caller's kms:Decrypt on it checked (keyToDecrypt). `db`: the
 * caller's transaction, when it reads while holding one.
 */
export async function openValue(
  deps: SecretsManagerDeps, key: KmsKey, arn: string, versionId: string, sealed: SealedValue, db?: Kysely<Database> | Transaction<Database>,
): Promise<SecretValue> {
  let plaintext: Buffer;
  try {
    ({ plaintext } = await decryptDataKey(deps.keys, sealed.encryptedDataKey, encryptionContext(arn, versionId), { db, cache: deps.dataKeyCache, key }));
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    // The key's state changed since it was checked: KMS's own words. Otherwise the blob is bad.
    throw err.code === 'InvalidCiphertextException' ? new AwsError('DecryptionFailure', CANT_DECRYPT) : decryptionFailure(err);
  }
  try {
    const bytes = open(plaintext, sealed.ciphertext, aad(arn, versionId));
    return sealed.kind === 'string' ? { kind: 'string', text: bytes.toString('utf8') } : { kind: 'binary', bytes };
  } catch (err) {
    if (err instanceof SealError) throw new AwsError('DecryptionFailure', CANT_DECRYPT);
    throw err;
  } finally {
    plaintext.fill(0);
  }
}

export function sameValue(a: SecretValue, b: SecretValue): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'string' ? a.text === (b as { text: string }).text : a.bytes.equals((b as { bytes: Buffer }).bytes);
}

/** The value a request carries, or undefined; both at once is AWS's InvalidParameterException. */
export function valueFromInput(input: { SecretString?: string; SecretBinary?: string }): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new AwsError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString !== undefined) return { kind: 'string', text: input.SecretString };
  if (input.SecretBinary !== undefined) return { kind: 'binary', bytes: Buffer.from(input.SecretBinary, 'base64') };
  return undefined;
}
