/**
 * The replica's side of replication, run by the deployment that serves the replica's region
 * (the worker for a local region, the peer API for a remote one): make the replica equal to
 * a snapshot of its primary, delete a replica, or forget a promoted replica on the primary.
 *
 * A replica's values are sealed again under a key of its own region with the replica's ARN as
 * encryption context, as a version written there would be; versions already sealed under that
 * key are left alone. The key is the replica's own: the KmsKeyId chosen for that region when the
 * replica is created (else its aws/secretsmanager), then whatever UpdateSecret set on the replica
 * in its region (AWS lets a replica change its key and nothing else). A push never changes it.
 *
 * Applying is idempotent and ordered by the primary's change counter (`snap.change`, kept in
 * `replica_applied`): a snapshot older than the one the replica already holds is dropped
 * under the replica's lock, so two pushes racing (two nodes, or a slow push overtaken by a
 * retry) leave the replica at the newer state whatever order they land in.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../storage/schema.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import type { KmsKey } from '../../kms/key-store.ts';
import { blobKeyId, keyStateError } from '../../kms/data-keys.ts';
import { sealValue, type SealedValue } from '../secret-value.ts';
import { dropPrimaryIfAlone, replicaArn } from './replica-store.ts';
import type { SecretSnapshot } from './snapshot.ts';

/** Replication to this region cannot succeed as things are; the message becomes the StatusMessage. */
export class ReplicationRefused extends Error {}

export interface ReplicaTarget {
  region: string;
  kmsKeyId: string | null;
  force: boolean;
}

export interface ApplyResult {
  arn: string;
  lastAccessedAt: number | null;
  /** The replica's KmsKeyId as it is after this push (null: its region's aws/secretsmanager), for the primary's ReplicationStatus. */
  kmsKeyId: string | null;
  /** The replica already held this change of the primary or a later one; nothing was written. */
  stale?: boolean;
}

export interface ApplyOptions {
  /** Throws (ReplicationRefused) when the replica's key may not be used by whoever pushes (peer-service.ts). */
  checkKey?: (key: KmsKey) => Promise<void>;
}

export async function applySnapshot(deps: SecretsManagerDeps, snap: SecretSnapshot, target: ReplicaTarget, options: ApplyOptions = {}): Promise<ApplyResult> {
  const arn = replicaArn(snap.primaryArn, target.region);
  let existing = await deps.repo.byName(snap.accountId, target.region, snap.name);
  if (existing && !(existing.arn === arn && existing.primary_region === snap.primaryRegion)) {
    if (existing.arn === arn) {
      // Promoted by StopReplicationToReplica: never overwritten, even with ForceOverwriteReplicaSecret;
      // the primary stops replicating here once it hears of the promotion.
      throw new ReplicationRefused(`Replication failed: Secret ${snap.name} in region ${target.region} was promoted to a standalone secret.`);
    }
    if (!target.force) throw new ReplicationRefused(`Replication failed: Secret name ${snap.name} already exists in region ${target.region}.`);
    const doomed = existing;
    await deps.repo.withSecretLock(doomed.id, (trx) => deps.repo.purge(doomed.id, trx));
    existing = undefined;
  }
  if (existing && await isStale(deps.repo.db, existing.id, snap.change)) {
    return { arn, lastAccessedAt: existing.last_accessed_at === null ? null : Number(existing.last_accessed_at), kmsKeyId: existing.kms_key_id, stale: true };
  }
  // An existing replica keeps its own key (it may have been changed there); a new one takes the region's choice.
  const keyRef = existing ? existing.kms_key_id : target.kmsKeyId;
  const key = await replicaKey(deps, snap.accountId, target.region, keyRef);
  await options.checkKey?.(key);

  // Sealing asks KMS (which may read the database) before the transaction, never inside it.
  const have = new Map((existing ? await deps.repo.versions(existing.id) : []).map((v) => [v.version_id, v]));
  const sealed = new Map<string, SealedValue>();
  for (const v of snap.versions) {
    if (!v.value) continue;
    const mine = have.get(v.versionId);
    const current = mine?.encrypted_data_key ? blobKeyId(Buffer.from(mine.encrypted_data_key)) === key.keyId : false;
    if (!current) sealed.set(v.versionId, await sealValue(deps, key, arn, v.versionId, v.value));
  }

  const fields = {
    description: snap.description, tags: snap.tags, resource_policy: snap.resourcePolicy,
    owning_service: snap.owningService, type: snap.type, created_at: snap.createdAt, last_changed_at: snap.lastChangedAt,
    rotation_enabled: snap.rotation.enabled, rotation_lambda_arn: snap.rotation.lambdaArn, rotation_rules: snap.rotation.rules,
    last_rotated_at: snap.rotation.lastRotatedAt, next_rotation_at: snap.rotation.nextRotationAt,
    primary_region: snap.primaryRegion, deletion_date: null, deleted_at: null,
  };
  const keyColumn = key.keyManager === 'AWS' ? null : key.arn;
  const writeVersions = async (trx: Transaction<Database>, secretId: string) => {
    await trx.deleteFrom('secret_version_stages').where('secret_id', '=', secretId).execute();
    // The versions as they are now, under the lock: another push may have written since `have` was read.
    const present = new Set((await trx.selectFrom('secret_versions').select('version_id').where('secret_id', '=', secretId).execute()).map((r) => r.version_id));
    const wanted = new Set(snap.versions.map((v) => v.versionId));
    const gone = [...present].filter((id) => !wanted.has(id));
    if (gone.length) await trx.deleteFrom('secret_versions').where('secret_id', '=', secretId).where('version_id', 'in', gone).execute();
    // Oldest first, so the replica's creation order is the primary's.
    for (const v of [...snap.versions].reverse()) {
      const s = sealed.get(v.versionId);
      const columns = s
        ? { kms_key_id: keyColumn, encrypted_data_key: s.encryptedDataKey, ciphertext: s.ciphertext, value_kind: s.kind }
        : undefined;
      if (!present.has(v.versionId)) {
        // Never a value-less copy of a version that has a value: the next push seals it.
        if (v.value && !columns) throw new ReplicationRefused(changedDuringPush(target.region));
        await deps.repo.insertVersion(trx, secretId, {
          version_id: v.versionId, created_at: v.createdAt, last_accessed_at: null,
          ...(columns ?? { kms_key_id: null, encrypted_data_key: null, ciphertext: null, value_kind: null }),
        });
      } else if (columns) {
        await trx.updateTable('secret_versions').set(columns).where('secret_id', '=', secretId).where('version_id', '=', v.versionId).execute();
      }
    }
    for (const v of snap.versions) {
      for (const stage of v.stages) await trx.insertInto('secret_version_stages').values({ secret_id: secretId, stage, version_id: v.versionId }).execute();
    }
    if (snap.change !== undefined) {
      await trx.insertInto('replica_applied').values({ secret_id: secretId, change: snap.change })
        .onConflict((oc) => oc.column('secret_id').doUpdateSet({ change: snap.change! })).execute();
    }
  };

  if (existing) {
    const id = existing.id;
    const stale = await deps.repo.withSecretLock(id, async (trx, locked) => {
      // Promoted (or replaced) since it was read: a promotion is never undone by a late push.
      if (!locked || locked.primary_region !== snap.primaryRegion) {
        throw new ReplicationRefused(`Replication failed: Secret ${snap.name} in region ${target.region} was promoted to a standalone secret.`);
      }
      // Its key changed (UpdateSecret there) since the values were sealed: seal again on the retry.
      if (locked.kms_key_id !== keyRef) throw new ReplicationRefused(changedDuringPush(target.region));
      // Decided again under the lock: another push may have landed since the check above.
      if (await isStale(trx, id, snap.change)) return true;
      await trx.updateTable('secrets').set(fields).where('id', '=', id).execute();
      await writeVersions(trx, id);
      return false;
    });
    return { arn, lastAccessedAt: existing.last_accessed_at === null ? null : Number(existing.last_accessed_at), kmsKeyId: keyRef, stale };
  }
  const row: SecretRow = {
    id: randomUUID(), account_id: snap.accountId, region: target.region, name: snap.name, arn,
    last_accessed_at: null, rotation_due_at: null, kms_key_id: keyRef, ...fields,
  };
  await deps.repo.transaction(async (trx) => {
    await trx.insertInto('secrets').values(row).execute();
    await writeVersions(trx, row.id);
  });
  return { arn, lastAccessedAt: null, kmsKeyId: keyRef };
}

const changedDuringPush = (region: string) => `Replication failed: the replica in region ${region} changed during this push; retrying.`;

/**
 * Whether the replica already holds `change` or a later one. An equal counter is skipped too: a
 * snapshot holds at least its counter's change, so the one applied first is never older.
 */
async function isStale(db: Kysely<Database> | Transaction<Database>, replicaId: string, change: number | undefined): Promise<boolean> {
  if (change === undefined) return false;
  const row = await db.selectFrom('replica_applied').select('change').where('secret_id', '=', replicaId).executeTakeFirst();
  return row !== undefined && Number(row.change) >= change;
}

/** The replica's key in its region: `kmsKeyId`, else that region's aws/secretsmanager; usable, material loaded. */
async function replicaKey(deps: SecretsManagerDeps, accountId: string, region: string, kmsKeyId: string | null): Promise<KmsKey> {
  const key = kmsKeyId
    ? await deps.keys.resolve(accountId, region, kmsKeyId)
    : await deps.keys.secretsManagerKey(accountId, region);
  if (!key) throw new ReplicationRefused(`Replication failed: KMS key ${kmsKeyId} was not found in region ${region}.`);
  const state = keyStateError(key);
  if (state) throw new ReplicationRefused(`Replication failed: ${state.message}`);
  await deps.keys.material(key, key.currentMaterial);
  return key;
}

/** RemoveRegionsFromReplication, in the replica's region: deletes the replica if it still is one of that primary. */
export async function deleteReplica(deps: SecretsManagerDeps, arn: string, primaryRegion: string): Promise<void> {
  const row = await deps.repo.byArn(arn);
  if (!row || row.primary_region !== primaryRegion) return;
  await deps.repo.withSecretLock(row.id, (trx) => deps.repo.purge(row.id, trx));
}

/**
 * StopReplicationToReplica, heard in the primary's region: the primary stops replicating to
 * the promoted replica's region. Idempotent: a repeated notice finds nothing to do.
 */
export async function detachReplica(deps: SecretsManagerDeps, promotedArn: string, primaryRegion: string): Promise<void> {
  const replicaRegion = promotedArn.split(':')[3]!;
  const primary = await deps.repo.byArn(replicaArn(promotedArn, primaryRegion));
  if (!primary) return;
  await deps.repo.withSecretLock(primary.id, async (trx) => {
    await trx.deleteFrom('secret_replicas').where('secret_id', '=', primary.id).where('region', '=', replicaRegion).execute();
    await dropPrimaryIfAlone(trx, primary.id);
  });
}
