/**
 * The primary's view of its replicas (table `secret_replicas`, migration 0012): which regions,
 * under which KMS key, and how far each has got. The same rows are the replication queue.
 */
import type { Db, SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretReplicaTable } from '../../../storage/schema.ts';
import { invalidParameter } from '../../../errors.ts';
import type { ReplicationRoutes } from './routes.ts';

export type ReplicaRow = SecretReplicaTable;

export type ReplicaStatus = 'InProgress' | 'InSync' | 'Failed';

/** One entry of ReplicationStatus, as DescribeSecret and the replication operations answer it. */
export interface ReplicationStatusEntry {
  Region: string;
  KmsKeyId: string;
  Status: ReplicaStatus;
  StatusMessage?: string;
  LastAccessedDate?: Date;
}

/** What AWS shows as a replica's KmsKeyId when none was chosen (the CLI reference's example). */
export const DEFAULT_REPLICA_KEY = 'alias/aws/secretsmanager';

/** The replica's ARN: the primary's, region swapped; the name and its random suffix stay (AWS keeps them). */
export function replicaArn(primaryArn: string, region: string): string {
  const parts = primaryArn.split(':');
  parts[3] = region;
  return parts.join(':');
}

/** A replica is a secret whose primary is in another region; it is read-only. */
export function isReplica(row: Pick<SecretRow, 'primary_region' | 'region'>): boolean {
  return row.primary_region !== null && row.primary_region !== row.region;
}

export const REPLICA_READ_ONLY = "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

/** Replicas a primary has (not those being removed), by region. */
export async function replicasOf(db: Db, secretId: string): Promise<ReplicaRow[]> {
  return db.selectFrom('secret_replicas').selectAll().where('secret_id', '=', secretId).where('removing', '=', 0).orderBy('region').execute();
}

export interface ReplicaRequest {
  Region?: string;
  KmsKeyId?: string;
}

/**
 * The regions asked for, checked before anything is written. "Invalid replica region." is AWS's
 * InvalidParameterException for a replica region it cannot use (seen by Terraform users on
 * CreateSecret); moto answers it for the secret's own region, which AWS's answer there is
 * assumed to be. A region named twice counts once, with the last KmsKeyId given for it (AWS's
 * answer to a repeated region is not known). A region already replicated is queued again (a
 * Failed one is retried, with the new ForceOverwriteReplicaSecret); its KmsKeyId is used only if
 * the replica does not exist yet: an existing replica keeps its own key (apply.ts).
 */
export function validateReplicaRegions(primaryRegion: string, requested: ReplicaRequest[]): { region: string; kmsKeyId: string | null }[] {
  const out = new Map<string, string | null>();
  for (const r of requested) {
    if (!r.Region) throw invalidParameter('Invalid replica region.');
    if (r.Region === primaryRegion) throw invalidParameter('Invalid replica region.');
    out.set(r.Region, r.KmsKeyId || null);
  }
  return [...out].map(([region, kmsKeyId]) => ({ region, kmsKeyId }));
}

/**
 * Every region asked for must be one replication can reach: served here or declared a peer.
 * AWS refuses a region that is not one of its regions with this same InvalidParameterException
 * ("Invalid replica region."); coffer's regions are those it serves and its peers'. Nothing is
 * recorded, so declaring the peer and calling again is the way forward.
 */
export function requireKnownRegions(routes: ReplicationRoutes | undefined, regions: { region: string }[]): void {
  for (const { region } of regions) {
    if (!routes || routes.route(region).kind === 'unknown') throw invalidParameter('Invalid replica region.');
  }
}

/**
 * Adds (or re-adds, with a new key or overwrite choice) replica regions to a primary, inside
 * the caller's transaction, and marks the secret as a primary. Each starts InProgress.
 */
export async function addReplicas(
  trx: Db, secret: Pick<SecretRow, 'id' | 'region'>, regions: { region: string; kmsKeyId: string | null }[], force: boolean, now: number,
): Promise<void> {
  for (const { region, kmsKeyId } of regions) {
    const existing = await trx.selectFrom('secret_replicas').select(['wanted']).where('secret_id', '=', secret.id).where('region', '=', region).executeTakeFirst();
    const fields = {
      kms_key_id: kmsKeyId, force_overwrite: force ? 1 : 0, status: 'InProgress', status_message: null,
      removing: 0, attempts: 0, next_attempt_at: now,
    };
    if (existing) {
      await trx.updateTable('secret_replicas').set({ ...fields, wanted: Number(existing.wanted) + 1 })
        .where('secret_id', '=', secret.id).where('region', '=', region).execute();
    } else {
      // The counter starts at the clock, not at 1: a replica removed and added again never counts
      // below a late push of its earlier life, which would otherwise look newer (apply.ts).
      await trx.insertInto('secret_replicas').values({
        ...fields, secret_id: secret.id, region, wanted: now, synced: 0, last_accessed_at: null, created_at: now,
      }).execute();
    }
  }
  await trx.updateTable('secrets').set({ primary_region: secret.region }).where('id', '=', secret.id).execute();
}

/** After replicas were removed: a secret with none left is no longer a primary (PrimaryRegion goes). */
export async function dropPrimaryIfAlone(trx: Db, secretId: string): Promise<void> {
  const left = await trx.selectFrom('secret_replicas').select('region').where('secret_id', '=', secretId).executeTakeFirst();
  if (!left) await trx.updateTable('secrets').set({ primary_region: null }).where('id', '=', secretId).execute();
}

/** AWS's StatusMessage of an InSync replica (the DescribeSecret and RemoveRegionsFromReplication examples). */
export const IN_SYNC_MESSAGE = 'Replication succeeded';

/**
 * ReplicationStatus as AWS shows it. A replica behind its primary (a change not yet pushed) is
 * InProgress unless the last push failed. StatusMessage as in AWS's examples: "Replication
 * succeeded" when InSync, the reason when Failed, none while InProgress (the CLI reference's
 * replicate-secret-to-regions example).
 */
export function statusEntry(row: ReplicaRow, lastAccessedAt?: number | null): ReplicationStatusEntry {
  const behind = Number(row.synced) < Number(row.wanted);
  const status: ReplicaStatus = row.status === 'Failed' ? 'Failed' : behind ? 'InProgress' : 'InSync';
  const accessed = lastAccessedAt !== undefined ? lastAccessedAt : row.last_accessed_at;
  return {
    Region: row.region,
    KmsKeyId: row.kms_key_id ?? DEFAULT_REPLICA_KEY,
    Status: status,
    StatusMessage: status === 'Failed' ? row.status_message ?? undefined : status === 'InSync' ? IN_SYNC_MESSAGE : undefined,
    LastAccessedDate: accessed === null || accessed === undefined ? undefined : new Date(Number(accessed)),
  };
}
