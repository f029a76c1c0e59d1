/**
 * Where a root key comes from (the operator's configuration) and what the database records
 * about it (never the key itself). Three providers:
 *
 * - `file`: the 256-bit key in a file (`--root-key-file`) or in `COFFER_ROOT_KEY`;
 * - `passphrase`: the key derived from a passphrase with argon2id, its salt and cost
 *   parameters recorded in the database;
 * - `kms`: a random key, recorded only as a ciphertext blob of an AWS-KMS-compatible
 *   endpoint (AWS KMS, or another coffer), and unwrapped with KMS Decrypt at start.
 */

export type RootKeyProviderKind = 'file' | 'passphrase' | 'kms';

export interface KmsRootKeyOptions {
  /** Key id, key ARN, alias name or alias ARN. Needed to create a key; afterwards the recorded key ARN is used. */
  keyId?: string;
  /** An AWS-KMS-compatible endpoint URL; default: AWS's endpoint for the region. */
  endpoint?: string;
  /** Default: the region in the key ARN, else the SDK's (AWS_REGION, the profile). */
  region?: string;
  /** A shared-config profile to take credentials and region from. */
  profile?: string;
  /** Explicit credentials; otherwise the profile or the SDK's default chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** PEM file of CA certificates to trust for an https endpoint. */
  caBundle?: string;
}

/** How this source's options are spelled, so messages name what the operator typed. */
export interface SourceNaming {
  /** `COFFER_` or `COFFER_NEW_`. */
  env: string;
  /** `--` or `--new-`. */
  flag: string;
}

export interface RootKeySource {
  provider: RootKeyProviderKind;
  naming: SourceNaming;
  /** provider file: the key file. */
  file?: string;
  /** provider file: coffer may create `file` with a fresh key when the database has no root key yet. */
  mayCreateFile: boolean;
  /** provider file: the key itself (`COFFER_ROOT_KEY`), which wins over the file. */
  key?: string;
  /** provider passphrase: from `COFFER_ROOT_KEY_PASSPHRASE`, or read from `passphraseFile`. */
  passphrase?: string;
  passphraseFile?: string;
  kms: KmsRootKeyOptions;
}

/** argon2id parameters and salt as recorded (base64 salt); the derived key is the root key. */
export interface PassphraseRecord {
  kind: 'passphrase';
  kdf: 'argon2id';
  /** argon2 version 0x13. */
  version: 19;
  salt: string;
  memoryKiB: number;
  iterations: number;
  parallelism: number;
}

export interface KmsRecord {
  kind: 'kms';
  /** The key ARN KMS reported when it encrypted the root key. */
  keyId: string;
  /** base64; removed when the generation is retired. */
  ciphertextBlob?: string;
  encryptionContext: Record<string, string>;
}

/** What `root_keys.provider` holds for a generation: how to get its key back, never the key. */
export type ProviderRecord = { kind: 'file' } | PassphraseRecord | KmsRecord;

export function describeProvider(record: ProviderRecord): string {
  if (record.kind === 'file') return 'a key file or COFFER_ROOT_KEY, provider file';
  if (record.kind === 'passphrase') return 'a passphrase, provider passphrase';
  return `the external KMS key ${record.keyId}, provider kms`;
}
