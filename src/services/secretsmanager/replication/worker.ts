/**
 * The replication worker: on every pass it takes the replicas that are behind their primary
 * (`synced < wanted`) or being removed, and the promotions a peer primary has yet to hear of,
 * and pushes each to its region: the same database for a region this deployment serves, the
 * peer's API for a peer region. Success marks the replica InSync; a failure marks it Failed
 * with the reason as StatusMessage and retries it with backoff (capped), until it succeeds —
 * so a peer that was down catches up by itself. Everything it needs is in the database, so a
 * restart loses nothing.
 *
 * With several nodes on one database the worker runs under a lease (`secret-replication`):
 * one node pushes at a time, renewing the lease between pushes and stopping when it lost it.
 * A push that still races another (a node paused past its lease) cannot harm a replica:
 * applying is ordered by the primary's change counter (apply.ts), `synced` only moves forward,
 * and a replica written for a region removed meanwhile is deleted again.
 */
import type { Logger } from 'pino';
import type { Updateable } from 'kysely';
import type { SecretReplicaTable } from '../../../storage/schema.ts';
import { startPeriodicTask, type PeriodicTask, type TaskLease } from '../../../periodic-task.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { AwsError } from '../../../errors.ts';
import { applySnapshot, deleteReplica, detachReplica, ReplicationRefused } from './apply.ts';
import { callPeer } from './peer-client.ts';
import { sealSnapshot } from './payload-seal.ts';
import { dropPrimaryIfAlone, replicaArn, type ReplicaRow } from './replica-store.ts';
import { noRouteMessage, type ReplicationRoutes } from './routes.ts';
import { takeSnapshot } from './snapshot.ts';

const BATCH = 50;
const MAX_BACKOFF_MS = 60_000;

export interface ReplicationWorker extends PeriodicTask<number> {
  /** Runs a pass soon (after a write that queued work), rather than at the next tick. */
  kick(): void;
}

export function startReplicationWorker(
  deps: SecretsManagerDeps, routes: ReplicationRoutes, log: Logger, intervalMs: number, lease?: TaskLease,
): ReplicationWorker {
  const backoff = (attempts: number) => Math.min(intervalMs * 2 ** Math.min(attempts, 16), MAX_BACKOFF_MS);

  // The lease is taken for three intervals at the start of a pass (periodic-task.ts); a pass
  // longer than one interval renews it between pushes, and ends if another node has it.
  let renewedAt = 0;
  let lost = false;
  async function stillHeld(): Promise<boolean> {
    if (!lease || lost) return !lost;
    const now = Date.now();
    if (now - renewedAt < intervalMs) return true;
    renewedAt = now;
    lost = !(await lease.leases.acquire(lease.name, intervalMs * 3));
    if (lost) log.warn({ lease: lease.name }, 'replication lease lost to another node; this pass stops');
    return !lost;
  }

  /** A replica written for a region that stopped being replicated while the push ran: undone. */
  async function undoOrphan(row: ReplicaRow, primaryArn: string, primaryRegion: string): Promise<void> {
    const arn = replicaArn(primaryArn, row.region);
    const route = routes.route(row.region);
    if (route.kind === 'peer') await callPeer(route.peer, 'DeleteReplica', { arn, primaryRegion });
    else if (route.kind === 'local') await deleteReplica(deps, arn, primaryRegion);
  }

  interface Pushed {
    lastAccessedAt: number | null;
    /** The replica's key as its region reports it (an older peer reports none: undefined). */
    kmsKeyId: string | null | undefined;
    primaryArn: string;
    primaryRegion: string;
  }

  async function push(row: ReplicaRow): Promise<Pushed | null> {
    const secret = await deps.repo.db.selectFrom('secrets').selectAll().where('id', '=', row.secret_id).executeTakeFirst();
    if (!secret) return null;
    const arn = replicaArn(secret.arn, row.region);
    const route = routes.route(row.region);
    if (row.removing === 1) {
      if (route.kind === 'peer') await callPeer(route.peer, 'DeleteReplica', { arn, primaryRegion: secret.region });
      else if (route.kind === 'local') await deleteReplica(deps, arn, secret.region);
      await deps.repo.withSecretLock(secret.id, async (trx) => {
        await trx.deleteFrom('secret_replicas').where('secret_id', '=', secret.id).where('region', '=', row.region).where('removing', '=', 1).execute();
        await dropPrimaryIfAlone(trx, secret.id);
      });
      return null;
    }
    const target = { region: row.region, kmsKeyId: row.kms_key_id, force: row.force_overwrite === 1 };
    if (route.kind === 'unknown') throw new ReplicationRefused(noRouteMessage(row.region));
    // The counter read with the queue row, before the secret: the snapshot holds at least that change.
    const snapshot = await takeSnapshot(deps, secret, Number(row.wanted));
    const pushed = { primaryArn: secret.arn, primaryRegion: secret.region };
    if (route.kind === 'local') {
      const applied = await applySnapshot(deps, snapshot, target);
      return { ...pushed, lastAccessedAt: applied.lastAccessedAt, kmsKeyId: applied.kmsKeyId };
    }
    const secretKey = route.peer.credentials?.secretAccessKey ?? '';
    const out = await callPeer(route.peer, 'PutReplica', { target, snapshot: sealSnapshot(snapshot, secretKey, arn) });
    const kmsKeyId = typeof out.kmsKeyId === 'string' || out.kmsKeyId === null ? out.kmsKeyId : undefined;
    return { ...pushed, lastAccessedAt: typeof out.lastAccessedAt === 'number' ? out.lastAccessedAt : null, kmsKeyId };
  }

  async function one(row: ReplicaRow): Promise<void> {
    const wanted = Number(row.wanted);
    const now = deps.now();
    const update = (set: Updateable<SecretReplicaTable>, only?: { wantedIs?: number; syncedBelow?: number }) => {
      let q = deps.repo.db.updateTable('secret_replicas').set(set)
        .where('secret_id', '=', row.secret_id).where('region', '=', row.region).where('removing', '=', row.removing);
      if (only?.wantedIs !== undefined) q = q.where('wanted', '=', only.wantedIs);
      if (only?.syncedBelow !== undefined) q = q.where('synced', '<', only.syncedBelow);
      return q.executeTakeFirst();
    };
    try {
      const pushed = await push(row);
      if (row.removing === 1 || !pushed) return;
      // The replica's own key, which UpdateSecret in its region may have changed, becomes ReplicationStatus' KmsKeyId.
      const done = {
        synced: wanted, status_message: null, attempts: 0, next_attempt_at: now, last_accessed_at: pushed.lastAccessedAt,
        ...(pushed.kmsKeyId !== undefined ? { kms_key_id: pushed.kmsKeyId } : {}),
      };
      const inSync = await update({ ...done, status: 'InSync' }, { wantedIs: wanted });
      if (Number(inSync.numUpdatedRows) > 0) return;
      // The primary changed again while this push ran: still behind, and the next pass pushes
      // again. `synced` never goes back (another node may have pushed a later change meanwhile).
      const behind = await update({ ...done, status: 'InProgress' }, { syncedBelow: wanted });
      if (Number(behind.numUpdatedRows) > 0) return;
      const still = await deps.repo.db.selectFrom('secret_replicas').select('region')
        .where('secret_id', '=', row.secret_id).where('region', '=', row.region).executeTakeFirst();
      if (!still) await undoOrphan(row, pushed.primaryArn, pushed.primaryRegion);
    } catch (err) {
      const message = err instanceof ReplicationRefused ? err.message
        : err instanceof AwsError ? `Replication failed: ${err.code}: ${err.message}`
        : 'Replication failed: an internal error occurred; retrying.';
      if (!(err instanceof ReplicationRefused) && !(err instanceof AwsError)) log.error({ err, region: row.region, secretId: row.secret_id }, 'replication push failed');
      else log.warn({ region: row.region, secretId: row.secret_id, reason: message }, 'replication push failed');
      // Not over a success another node recorded meanwhile (the replica has this change already).
      await update({
        status: row.removing === 1 ? row.status : 'Failed', status_message: message,
        attempts: row.attempts + 1, next_attempt_at: now + backoff(row.attempts + 1),
      }, row.removing === 1 ? undefined : { syncedBelow: wanted });
    }
  }

  async function detaches(stopped: () => boolean): Promise<number> {
    const now = deps.now();
    const due = await deps.repo.db.selectFrom('replica_detaches').selectAll().where('next_attempt_at', '<=', now).limit(BATCH).execute();
    for (const d of due) {
      if (stopped()) break;
      try {
        const route = routes.route(d.primary_region);
        if (route.kind === 'peer') await callPeer(route.peer, 'DetachReplica', { promotedArn: d.replica_arn, primaryRegion: d.primary_region });
        else if (route.kind === 'local') await detachReplica(deps, d.replica_arn, d.primary_region);
        else throw new ReplicationRefused(noRouteMessage(d.primary_region));
        await deps.repo.db.deleteFrom('replica_detaches').where('replica_arn', '=', d.replica_arn).execute();
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ replicaArn: d.replica_arn, reason: message }, 'telling the primary of a promoted replica failed');
        await deps.repo.db.updateTable('replica_detaches').set({ attempts: d.attempts + 1, next_attempt_at: now + backoff(d.attempts + 1), last_error: message })
          .where('replica_arn', '=', d.replica_arn).execute();
      }
    }
    return due.length;
  }

  async function pass(stopped: () => boolean): Promise<number> {
    const now = deps.now();
    const due = await deps.repo.db.selectFrom('secret_replicas').selectAll()
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('removing', '=', 1), eb('synced', '<', eb.ref('wanted'))]))
      .orderBy('next_attempt_at').limit(BATCH).execute();
    for (const row of due) {
      if (stopped() || !(await stillHeld())) return due.length;
      await one(row);
    }
    return due.length + await detaches(stopped);
  }

  let again = false;
  const task = startPeriodicTask(async (stopped) => {
    renewedAt = Date.now();
    lost = false;
    let n = 0;
    do {
      again = false;
      n += await pass(stopped);
    } while (again && !stopped() && !lost);
    return n;
  }, { intervalMs, log, idle: 0, failure: 'replication pass failed', lease });
  return {
    ...task,
    kick() {
      again = true;
      task.runOnce().catch((err) => log.error({ err }, 'replication pass failed; retrying on the next pass'));
    },
  };
}
