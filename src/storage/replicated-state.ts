/**
 * What a replica holds of its primary, as one comparable string: the metadata replication
 * copies and each version's id, creation time, labels and whether it has a value. The
 * replication worker's snapshot (services/secretsmanager/replication/snapshot.ts) copies
 * exactly these; keep the two in step.
 *
 * `withSecretLock` compares it before and after a write on a primary, and queues a push only
 * when it changed: a rotation's lease renewal (`rotation_due_at`), a re-wrap under the
 * primary's own key, a retried CreateSecret or the removal of another replica region change
 * nothing a replica holds, so its replicas stay InSync and no push runs.
 *
 * Not in it on purpose: the primary's `kms_key_id` and data keys (a replica is sealed under
 * its own region's key), `last_accessed_at` (each region counts its own reads), the rotation
 * scheduler's bookkeeping and deletion (a primary with replicas cannot be deleted). A version's
 * value never changes under the same id, except RotateSecret's empty placeholder being filled,
 * which `hasValue` sees.
 */
import type { Db } from './secret-repository.ts';

export async function replicatedState(db: Db, secretId: string): Promise<string | undefined> {
  const secret = await db.selectFrom('secrets')
    .select([
      'name', 'description', 'tags', 'resource_policy', 'owning_service', 'type', 'created_at', 'last_changed_at',
      'rotation_enabled', 'rotation_lambda_arn', 'rotation_rules', 'last_rotated_at', 'next_rotation_at',
    ])
    .where('id', '=', secretId).executeTakeFirst();
  if (!secret) return undefined;
  const versions = await db.selectFrom('secret_versions').select(['version_id', 'created_at', 'value_kind'])
    .where('secret_id', '=', secretId).orderBy('version_id').execute();
  const stages = await db.selectFrom('secret_version_stages').select(['stage', 'version_id'])
    .where('secret_id', '=', secretId).orderBy('stage').execute();
  // Numbers may come back as strings (PostgreSQL bigint): normalize, so only real changes differ.
  const norm = (v: unknown) => (typeof v === 'bigint' || typeof v === 'number' ? String(v) : v);
  return JSON.stringify([
    Object.values(secret).map(norm),
    versions.map((v) => [v.version_id, norm(v.created_at), v.value_kind !== null]),
    stages.map((s) => [s.stage, s.version_id]),
  ]);
}
