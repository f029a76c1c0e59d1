/**
 * Writing a version and moving staging labels, shared by CreateSecret, PutSecretValue,
 * UpdateSecret and UpdateSecretVersionStage, and moving versions to a new KMS key. What takes
 * a transaction runs inside the secret's lock; what asks the authorization hook
 * (priorVersionKey, planRewraps) runs before it.
 */
import type { Transaction } from 'kysely';
import { AwsError } from '../../errors.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import type { Database } from '../../storage/schema.ts';
import type { SecretRow } from '../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from './deps.ts';
import type { KmsKey } from '../kms/key-store.ts';
import { blobKeyId, decryptDataKey, encryptDataKey, keyStateError } from '../kms/data-keys.ts';
import { openValue, sameValue, sealValue, type SecretValue } from './secret-value.ts';
import { encryptionContext, keyToDecrypt, mayUseKey } from './secret-kms.ts';

export const MAX_STAGES_PER_SECRET = 20;
export const MAX_VERSIONS = 100;

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

/**
 * Before the lock: when `token` names a version that has a value, a retry must compare values,
 * which decrypts the stored one (AWS: "Secrets Manager decrypts the existing secret value and
 * compares it"), so the caller's kms:Decrypt on its key is checked here. Undefined otherwise.
 */
export async function priorVersionKey(deps: SecretsManagerDeps, ctx: RequestContext, secret: SecretRow, token: string): Promise<KmsKey | undefined> {
  const prior = await deps.repo.version(secret.id, { versionId: token });
  if (!prior || prior.encrypted_data_key === null) return undefined;
  return keyToDecrypt(deps, ctx, secret, token, Buffer.from(prior.encrypted_data_key));
}

/**
 * What a ClientRequestToken means for this secret, or AWS's ResourceExistsException.
 * `decryptKey`: what priorVersionKey found and authorized before the lock.
 */
export async function tokenOutcome(
  deps: SecretsManagerDeps, trx: Transaction<Database>, secret: SecretRow, token: string, value: SecretValue, decryptKey: KmsKey | undefined,
): Promise<TokenOutcome> {
  const existing = await deps.repo.version(secret.id, { versionId: token }, trx);
  if (!existing) return { kind: 'new' };
  if (existing.value_kind === null || existing.ciphertext === null || existing.encrypted_data_key === null) return { kind: 'placeholder' };
  const blob = Buffer.from(existing.encrypted_data_key);
  // Written (or re-keyed) by another request since priorVersionKey looked.
  if (decryptKey === undefined || blobKeyId(blob) !== decryptKey.keyId) throw keyChangedConcurrently();
  const stored = await openValue(deps, decryptKey, secret.arn, token, {
    encryptedDataKey: blob, ciphertext: Buffer.from(existing.ciphertext), kind: existing.value_kind as 'string' | 'binary',
  }, trx);
  if (sameValue(stored, value)) return { kind: 'repeat', stages: existing.stages };
  throw new AwsError('ResourceExistsException', `You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`);
}

/** The labels whose versions follow a secret to its new KMS key (UpdateSecret's documentation). */
const REKEYED_LABELS = new Set(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']);

export interface Rewrap {
  versionId: string;
  /** The wrapped data key as planned; a version re-keyed since is left alone. */
  blob: Buffer;
  from: KmsKey;
}

/**
 * Before the lock, for UpdateSecret with a KmsKeyId: the versions labelled AWSCURRENT,
 * AWSPENDING or AWSPREVIOUS that are under another key and that the caller may move —
 * kms:Decrypt on their key and kms:Encrypt on the new one, through Secrets Manager, both keys
 * usable. AWS re-encrypts those and silently leaves the others (they stay readable with the
 * old key); moving a version re-wraps its data key, so the value's ciphertext is untouched.
 */
export async function planRewraps(deps: SecretsManagerDeps, ctx: RequestContext, secret: SecretRow, to: KmsKey): Promise<Rewrap[]> {
  if (keyStateError(to)) return [];
  const plans: Rewrap[] = [];
  for (const v of await deps.repo.versions(secret.id)) {
    if (v.encrypted_data_key === null || !v.stages.some((s) => REKEYED_LABELS.has(s))) continue;
    const blob = Buffer.from(v.encrypted_data_key);
    const keyId = blobKeyId(blob);
    if (keyId === undefined || keyId === to.keyId) continue;
    const from = await deps.keys.getKey(keyId);
    if (!from || keyStateError(from)) continue;
    const context = encryptionContext(secret.arn, v.version_id);
    if (await mayUseKey(ctx, from, 'kms:Decrypt', context) && await mayUseKey(ctx, to, 'kms:Encrypt', context)) {
      plans.push({ versionId: v.version_id, blob, from });
    }
  }
  return plans;
}

/** Inside the lock: re-wraps each planned version that still holds the planned data key. */
export async function applyRewraps(deps: SecretsManagerDeps, trx: Transaction<Database>, secret: SecretRow, to: KmsKey, plans: Rewrap[]): Promise<void> {
  for (const plan of plans) {
    const row = await deps.repo.version(secret.id, { versionId: plan.versionId }, trx);
    if (!row || row.encrypted_data_key === null || !Buffer.from(row.encrypted_data_key).equals(plan.blob)) continue;
    const context = encryptionContext(secret.arn, plan.versionId);
    let blob: Buffer;
    try {
      const { plaintext } = await decryptDataKey(deps.keys, plan.blob, context, { db: trx, key: plan.from });
      try {
        blob = await encryptDataKey(deps.keys, to, plaintext, context, trx);
      } finally {
        plaintext.fill(0);
      }
    } catch (err) {
      // A key disabled in between: the version stays where it is, as when the caller may not move it.
      if (err instanceof AwsError) continue;
      throw err;
    }
    await trx.updateTable('secret_versions').set({ encrypted_data_key: blob, kms_key_id: versionKeyColumn(to) })
      .where('secret_id', '=', secret.id).where('version_id', '=', plan.versionId).execute();
  }
}

/** A version's `kms_key_id`: the key ARN, or null for the AWS managed key (`DefaultEncryptionKey`). */
function versionKeyColumn(key: KmsKey): string | null {
  return key.keyManager === 'AWS' ? null : key.arn;
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
  const sealed = await sealValue(deps, key, secret.arn, args.versionId, args.value);
  const columns = {
    kms_key_id: versionKeyColumn(key),
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
