/**
 * Writing a version and moving staging labels, shared by CreateSecret, PutSecretValue,
 * UpdateSecret and UpdateSecretVersionStage. Always called inside the secret's lock.
 */
import type { Transaction } from 'kysely';
import { AwsError } from '../../errors.ts';
import type { Database } from '../../storage/schema.ts';
import type { SecretRow } from '../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from './deps.ts';
import type { KmsKey } from '../kms/key-store.ts';
import { openValue, sameValue, sealValue, type SecretValue } from './secret-value.ts';

export const MAX_STAGES_PER_SECRET = 20;
export const MAX_VERSIONS = 100;

/**
 * The KMS key a secret's new versions are encrypted with, with its current material loaded.
 * Writers call this before they take the secret's lock, so sealing inside the transaction
 * never needs the database (and a first use of the managed key is its own transaction).
 */
export async function secretKey(deps: SecretsManagerDeps, secret: Pick<SecretRow, 'account_id' | 'region' | 'kms_key_id'>): Promise<KmsKey> {
  const key = secret.kms_key_id
    ? await deps.keys.resolve(secret.account_id, secret.region, secret.kms_key_id)
    : await deps.keys.secretsManagerKey(secret.account_id, secret.region);
  if (!key) throw new AwsError('InvalidParameterException', 'The operation failed because of an invalid KMS key: Invalid keyId');
  await deps.keys.material(key, key.currentMaterial);
  return key;
}

/**
 * The secret's KMS key changed between resolving it and taking the lock (a concurrent
 * UpdateSecret). Rare; the client retries, as it would on AWS's conflict errors.
 */
export function keyChangedConcurrently(): AwsError {
  return new AwsError('InvalidRequestException', 'The secret was modified by another request at the same time. Retry the request.');
}

export type TokenOutcome =
  | { kind: 'new' }
  /** The same token and value were seen before: the call is a retry and changes nothing. */
  | { kind: 'repeat'; stages: string[] }
  /** RotateSecret's empty AWSPENDING placeholder, which PutSecretValue may fill. */
  | { kind: 'placeholder' };

/** What a ClientRequestToken means for this secret, or AWS's ResourceExistsException. */
export async function tokenOutcome(
  deps: SecretsManagerDeps, trx: Transaction<Database>, secret: SecretRow, token: string, value: SecretValue,
): Promise<TokenOutcome> {
  const existing = await deps.repo.version(secret.id, { versionId: token }, trx);
  if (!existing) return { kind: 'new' };
  if (existing.value_kind === null || existing.ciphertext === null || existing.encrypted_data_key === null) return { kind: 'placeholder' };
  const stored = await openValue(deps.keys, secret.arn, token, {
    encryptedDataKey: Buffer.from(existing.encrypted_data_key), ciphertext: Buffer.from(existing.ciphertext), kind: existing.value_kind as 'string' | 'binary',
  }, trx);
  if (sameValue(stored, value)) return { kind: 'repeat', stages: existing.stages };
  throw new AwsError('ResourceExistsException', `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`);
}

/** Puts `stages` on `versionId`; AWSCURRENT's previous holder becomes AWSPREVIOUS. */
export async function applyStages(deps: SecretsManagerDeps, trx: Transaction<Database>, secretId: string, versionId: string, stages: string[]): Promise<void> {
  for (const stage of stages) {
    if (stage === 'AWSCURRENT') {
      const previous = await deps.repo.stageHolder(trx, secretId, 'AWSCURRENT');
      if (previous && previous !== versionId) await deps.repo.moveStage(trx, secretId, 'AWSPREVIOUS', previous);
    }
    await deps.repo.moveStage(trx, secretId, stage, versionId);
  }
  if ((await deps.repo.countStages(trx, secretId)) > MAX_STAGES_PER_SECRET) {
    throw new AwsError('LimitExceededException', `You can attach at most ${MAX_STAGES_PER_SECRET} staging labels to the versions of a secret.`);
  }
}

/** Stores a new sealed version (or fills the rotation placeholder) and labels it. */
export async function writeVersion(
  deps: SecretsManagerDeps,
  trx: Transaction<Database>,
  secret: SecretRow,
  args: { key: KmsKey; versionId: string; value: SecretValue; stages: string[]; fillPlaceholder?: boolean; now: number },
): Promise<void> {
  const { key } = args;
  const sealed = await sealValue(deps.keys, key, secret.arn, args.versionId, args.value);
  const columns = {
    kms_key_id: key.keyManager === 'AWS' ? null : key.arn,
    encrypted_data_key: sealed.encryptedDataKey,
    ciphertext: sealed.ciphertext,
    value_kind: sealed.kind,
  };
  if (args.fillPlaceholder) {
    await trx.updateTable('secret_versions').set(columns).where('secret_id', '=', secret.id).where('version_id', '=', args.versionId).execute();
  } else {
    await deps.repo.insertVersion(trx, secret.id, { version_id: args.versionId, created_at: args.now, last_accessed_at: null, ...columns });
  }
  await applyStages(deps, trx, secret.id, args.versionId, args.stages);
  const remaining = await deps.repo.pruneDeprecated(trx, secret.id, args.now, MAX_VERSIONS);
  if (remaining > MAX_VERSIONS) {
    throw new AwsError('LimitExceededException', `A secret can have at most ${MAX_VERSIONS} versions; versions without staging labels are removed only after 24 hours.`);
  }
  await trx.updateTable('secrets').set({ last_changed_at: args.now }).where('id', '=', secret.id).execute();
}
