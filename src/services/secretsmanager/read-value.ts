/**
 * Reading a secret's value: the one hot path. One label lookup, one version row, the caller's
 * kms:Decrypt on the version's key asked of the authorization hook and the key's state
 * checked (every time: only the unwrap itself may come from the data-key cache), one
 * in-memory unwrap of the data key, one AES-GCM open; LastAccessedDate is written at most
 * once per secret per day because AWS keeps it to the day.
 */
import { invalidRequest, resourceNotFound } from '../../errors.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import type { SecretRow, VersionRow } from '../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from './deps.ts';
import { dayOf, requireNotDeleted } from './lookup.ts';
import { openValue } from './secret-value.ts';
import { keyToDecrypt } from './secret-kms.ts';

export interface SecretValueEntry {
  ARN: string;
  Name: string;
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Buffer;
  VersionStages: string[];
  CreatedDate: Date;
}

/** The version a read addresses (by id, else by label, else AWSCURRENT); undefined if none. */
export function findVersion(
  deps: SecretsManagerDeps, secret: SecretRow, versionId: string | undefined, versionStage: string | undefined,
): Promise<VersionRow | undefined> {
  return deps.repo.version(secret.id, { versionId, stage: versionStage });
}

/**
 * `secretsmanager:VersionStage` for a read: every label of the version being read, as a set
 * (the seeds' `ForAnyValue:StringEquals` example depends on it, and a read relying on the
 * default label carries AWSCURRENT). Without such a version, the label asked for, if any.
 */
export function versionStageKey(version: VersionRow | undefined, versionStage: string | undefined): string[] | string | undefined {
  return version ? version.stages : versionStage;
}

/**
 * `resolved`: the version the plan already looked up (and authorized against), so a read costs
 * one lookup and returns exactly the version whose labels were authorized.
 */
export async function readSecretValue(
  deps: SecretsManagerDeps, ctx: RequestContext, secret: SecretRow, versionId: string | undefined, versionStage: string | undefined,
  resolved?: { version: VersionRow | undefined },
): Promise<SecretValueEntry> {
  requireNotDeleted(secret);
  const version = resolved ? resolved.version : await findVersion(deps, secret, versionId, versionStage);
  if (!version) {
    throw resourceNotFound(versionId !== undefined
      ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`
      : `Secrets Manager can't find the specified secret value for staging label: ${versionStage ?? 'AWSCURRENT'}`);
  }
  if (versionId !== undefined && versionStage !== undefined && !version.stages.includes(versionStage)) {
    throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
  }
  if (version.value_kind === null || version.ciphertext === null || version.encrypted_data_key === null) {
    // RotateSecret's AWSPENDING placeholder has no value yet.
    throw resourceNotFound(versionId !== undefined
      ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`
      : `Secrets Manager can't find the specified secret value for staging label: ${versionStage ?? 'AWSCURRENT'}`);
  }
  const encryptedDataKey = Buffer.from(version.encrypted_data_key);
  const key = await keyToDecrypt(deps, ctx, secret, version.version_id, encryptedDataKey);
  const value = await openValue(deps, key, secret.arn, version.version_id, {
    encryptedDataKey, ciphertext: Buffer.from(version.ciphertext), kind: version.value_kind as 'string' | 'binary',
  });
  const today = dayOf(deps.now());
  if (secret.last_accessed_at === null || secret.last_accessed_at < today || version.last_accessed_at === null || version.last_accessed_at < today) {
    await deps.repo.touchAccessed(secret.id, version.version_id, today);
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.version_id,
    SecretString: value.kind === 'string' ? value.text : undefined,
    SecretBinary: value.kind === 'binary' ? value.bytes : undefined,
    VersionStages: version.stages,
    CreatedDate: new Date(version.created_at),
  };
}
