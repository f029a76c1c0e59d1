/**
 * GenerateDataKey and Decrypt as the services inside coffer call them (Secrets Manager asks
 * KMS, exactly as in AWS). The KMS API issue puts the wire operations on top of these.
 */
import { randomBytes } from 'node:crypto';
import { open, seal, SealError } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';
import { contextAad, decodeBlob, encodeBlob } from './ciphertext-blob.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { KeyStore, KmsKey } from './key-store.ts';

export interface DataKey {
  plaintext: Buffer;
  ciphertextBlob: Buffer;
  keyArn: string;
}

export async function generateDataKey(store: KeyStore, key: KmsKey, context: Record<string, string>): Promise<DataKey> {
  if (key.keyState !== 'Enabled') throw new AwsError('DisabledException', `${key.arn} is disabled.`);
  const material = await store.material(key, key.currentMaterial);
  const plaintext = randomBytes(32);
  const sealed = seal(material, plaintext, contextAad(key.arn, context));
  return { plaintext, ciphertextBlob: encodeBlob({ keyId: key.keyId, materialVersion: key.currentMaterial, sealed }), keyArn: key.arn };
}

/** `db` is the caller's transaction when it decrypts while holding one. */
export async function decryptDataKey(
  store: KeyStore, blob: Buffer, context: Record<string, string>, db?: Kysely<Database> | Transaction<Database>,
): Promise<{ plaintext: Buffer; key: KmsKey }> {
  const decoded = decodeBlob(blob);
  if (!decoded) throw new AwsError('InvalidCiphertextException', '');
  const key = await store.getKey(decoded.keyId, db);
  if (!key) throw new AwsError('InvalidCiphertextException', '');
  if (key.keyState !== 'Enabled') throw new AwsError('DisabledException', `${key.arn} is disabled.`);
  const material = await store.material(key, decoded.materialVersion, db);
  try {
    return { plaintext: open(material, decoded.sealed, contextAad(key.arn, context)), key };
  } catch (err) {
    if (err instanceof SealError) throw new AwsError('InvalidCiphertextException', '');
    throw err;
  }
}
