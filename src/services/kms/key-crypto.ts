/**
 * Encrypt and decrypt under a KMS key's material, in the ciphertext blob format of
 * ciphertext-blob.ts (key id and material version in the clear, AES-256-GCM with the key ARN
 * and the encryption context as additional data). Data keys made by data-keys.ts are the
 * same format, so Decrypt opens them too. Authorization and key state are the callers'.
 */
import { createHash } from 'node:crypto';
import { open, seal, SealError } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';
import { contextAad, decodeBlob, encodeBlob } from './ciphertext-blob.ts';
import type { KeyStore, KmsKey } from './key-store.ts';

export type EncryptionContext = Record<string, string>;

/** AWS answers every ciphertext it cannot open — tampered, wrong context, not a blob — alike, without a message. */
export const invalidCiphertext = () => new AwsError('InvalidCiphertextException', '');

/** AWS's KeyMaterialId: 64 hex digits naming one material version; ours derives it from key id and version. */
export function keyMaterialId(keyId: string, version: number): string {
  return createHash('sha256').update(`coffer-key-material:${keyId}:${version}`).digest('hex');
}

export async function encryptUnder(keys: KeyStore, key: KmsKey, plaintext: Buffer, context: EncryptionContext | undefined): Promise<{ blob: Buffer; version: number }> {
  const version = key.currentMaterial;
  const material = await keys.material(key, version);
  const sealed = seal(material, plaintext, contextAad(key.arn, context));
  return { blob: encodeBlob({ keyId: key.keyId, materialVersion: version, sealed }), version };
}

/** The key id a blob names, or InvalidCiphertextException when it is not one of ours. */
export function blobKeyId(blob: Buffer): string {
  const decoded = decodeBlob(blob);
  if (!decoded) throw invalidCiphertext();
  return decoded.keyId;
}

export async function decryptUnder(keys: KeyStore, key: KmsKey, blob: Buffer, context: EncryptionContext | undefined): Promise<{ plaintext: Buffer; version: number }> {
  const decoded = decodeBlob(blob);
  if (!decoded || decoded.keyId !== key.keyId || decoded.materialVersion < 1 || decoded.materialVersion > key.currentMaterial) throw invalidCiphertext();
  let material: Buffer;
  try {
    material = await keys.material(key, decoded.materialVersion);
  } catch (err) {
    if (err instanceof AwsError) throw invalidCiphertext();
    throw err;
  }
  try {
    return { plaintext: open(material, decoded.sealed, contextAad(key.arn, context)), version: decoded.materialVersion };
  } catch (err) {
    if (err instanceof SealError) throw invalidCiphertext();
    throw err;
  }
}
