/**
 * The envelope around one secret version: KMS gives a fresh data key per version (with the
 * secret ARN and version id as encryption context, as AWS does), the value is sealed with
 * it under AES-256-GCM with the same pair as additional data, and only the KMS-wrapped data
 * key is stored.
 */
import { open, seal, SealError } from '../../crypto/aead.ts';
import { AwsError } from '../../errors.ts';
import { decryptDataKey, generateDataKey } from '../kms/data-keys.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { KeyStore, KmsKey } from '../kms/key-store.ts';

export type SecretValue = { kind: 'string'; text: string } | { kind: 'binary'; bytes: Buffer };

export interface SealedValue {
  encryptedDataKey: Buffer;
  ciphertext: Buffer;
  kind: 'string' | 'binary';
}

const context = (arn: string, versionId: string) => ({ SecretARN: arn, SecretVersionId: versionId });
const aad = (arn: string, versionId: string) => `${arn}\n${versionId}`;

function bytesOf(value: SecretValue): Buffer {
  return value.kind === 'string' ? Buffer.from(value.text, 'utf8') : value.bytes;
}

export async function sealValue(keys: KeyStore, key: KmsKey, arn: string, versionId: string, value: SecretValue): Promise<SealedValue> {
  let dataKey;
  try {
    dataKey = await generateDataKey(keys, key, context(arn, versionId));
  } catch (err) {
    if (err instanceof AwsError) throw new AwsError('EncryptionFailure', `Secrets Manager can't encrypt the protected secret text using the provided KMS key. ${err.message}`.trim());
    throw err;
  }
  const ciphertext = seal(dataKey.plaintext, bytesOf(value), aad(arn, versionId));
  dataKey.plaintext.fill(0);
  return { encryptedDataKey: dataKey.ciphertextBlob, ciphertext, kind: value.kind };
}

export async function openValue(
  keys: KeyStore, arn: string, versionId: string, sealed: SealedValue, db?: Kysely<Database> | Transaction<Database>,
): Promise<SecretValue> {
  try {
    const { plaintext } = await decryptDataKey(keys, sealed.encryptedDataKey, context(arn, versionId), db);
    const bytes = open(plaintext, sealed.ciphertext, aad(arn, versionId));
    plaintext.fill(0);
    return sealed.kind === 'string' ? { kind: 'string', text: bytes.toString('utf8') } : { kind: 'binary', bytes };
  } catch (err) {
    if (err instanceof AwsError || err instanceof SealError) {
      throw new AwsError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    }
    throw err;
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
