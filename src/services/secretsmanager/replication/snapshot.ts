/**
 * A primary secret as replication copies it: metadata, and every version with its labels and
 * its value opened. Replication is a service action, as in AWS: it reads the value with the
 * secret's own key, not as any caller. The plaintext lives only in memory, on its way to being
 * sealed again under the replica region's key (locally) or for the peer (payload-seal.ts).
 */
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { blobKeyId, keyNotFound } from '../../kms/data-keys.ts';
import { openValue, type SecretValue } from '../secret-value.ts';
import { decryptionFailure } from '../secret-kms.ts';

export interface SnapshotVersion {
  versionId: string;
  createdAt: number;
  stages: string[];
  /** Absent for RotateSecret's value-less AWSPENDING placeholder. */
  value?: SecretValue;
}

export interface SecretSnapshot {
  /**
   * The primary's change counter for this replica (`secret_replicas.wanted`) read before the
   * secret was: the snapshot holds at least that change. Absent from an older peer's push.
   */
  change?: number;
  accountId: string;
  primaryArn: string;
  primaryRegion: string;
  name: string;
  description: string | null;
  tags: string | null;
  resourcePolicy: string | null;
  owningService: string | null;
  type: string | null;
  createdAt: number;
  lastChangedAt: number;
  rotation: {
    enabled: number | null;
    lambdaArn: string | null;
    rules: string | null;
    lastRotatedAt: number | null;
    nextRotationAt: number | null;
  };
  /** Newest first. */
  versions: SnapshotVersion[];
}

export async function takeSnapshot(deps: SecretsManagerDeps, secret: SecretRow, change: number): Promise<SecretSnapshot> {
  const versions: SnapshotVersion[] = [];
  for (const v of await deps.repo.versions(secret.id)) {
    const out: SnapshotVersion = { versionId: v.version_id, createdAt: Number(v.created_at), stages: v.stages };
    if (v.encrypted_data_key !== null && v.ciphertext !== null && v.value_kind !== null) {
      const blob = Buffer.from(v.encrypted_data_key);
      const keyId = blobKeyId(blob);
      const key = keyId === undefined ? undefined : await deps.keys.getKey(keyId);
      if (!key) throw decryptionFailure(keyNotFound(`arn:aws:kms:${secret.region}:${secret.account_id}:key/${keyId ?? 'unknown'}`));
      out.value = await openValue(deps, key, secret.arn, v.version_id, {
        encryptedDataKey: blob, ciphertext: Buffer.from(v.ciphertext), kind: v.value_kind as 'string' | 'binary',
      });
    }
    versions.push(out);
  }
  return {
    change, accountId: secret.account_id, primaryArn: secret.arn, primaryRegion: secret.region, name: secret.name,
    description: secret.description, tags: secret.tags, resourcePolicy: secret.resource_policy,
    owningService: secret.owning_service, type: secret.type,
    createdAt: Number(secret.created_at), lastChangedAt: Number(secret.last_changed_at),
    rotation: {
      enabled: secret.rotation_enabled, lambdaArn: secret.rotation_lambda_arn, rules: secret.rotation_rules,
      lastRotatedAt: secret.last_rotated_at === null ? null : Number(secret.last_rotated_at),
      nextRotationAt: secret.next_rotation_at === null ? null : Number(secret.next_rotation_at),
    },
    versions,
  };
}
