/**
 * The replication worker: on every pass it takes the replicas that are behind their primary
 * (`synced < wanted`) or being removed, and the promotions a peer primary has yet to hear of,
 * and pushes each to its region: the same database for a region this deployment serves, the
 * peer's API for a peer region. Success marks the replica InSync; a failure marks it Failed
 * with the reason as StatusMessage and retries it with backoff (capped), until it succeeds —
 * so a peer that was down catches up by itself. Everything it needs is in the database, so a
 * restart loses nothing.
 */
import type { Logger } from 'pino';
import type { Updateable } from 'kysely';
import type { SecretReplicaTable } from '../../../storage/schema.ts';
import { startPeriodicTask, type PeriodicTask } from '../../../periodic-task.ts';
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

export function startReplicationWorker(deps: SecretsManagerDeps, routes: ReplicationRoutes, log: Logger, intervalMs: number): ReplicationWorker {
  const backoff = (attempts: number) => Math.min(intervalMs * 2 ** Math.min(attempts, 16), MAX_BACKOFF_MS);

  async function push(row: ReplicaRow): Promise<number | null> {
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
    const snapshot = await takeSnapshot(deps, secret);
    if (route.kind === 'local') return (await applySnapshot(deps, snapshot, target)).lastAccessedAt;
    const secretKey = route.peer.credentials?.secretAccessKey ?? '';
    const out = await callPeer(route.peer, 'PutReplica', { target, snapshot: sealSnapshot(snapshot, secretKey, arn) });
    return typeof out.lastAccessedAt === 'number' ? out.lastAccessedAt : null;
  }

  async function one(row: ReplicaRow): Promise<void> {
    const wanted = Number(row.wanted);
    const now = deps.now();
    const update = (set: Updateable<SecretReplicaTable>, wantedIs?: number) => {
      let q = deps.repo.db.updateTable('secret_replicas').set(set)
        .where('secret_id', '=', row.secret_id).where('region', '=', row.region).where('removing', '=', row.removing);
      if (wantedIs !== undefined) q = q.where('wanted', '=', wantedIs);
      return q.executeTakeFirst();
    };
    try {
      const lastAccessedAt = await push(row);
      if (row.removing === 1) return;
      const done = { synced: wanted, status_message: null, attempts: 0, next_attempt_at: now, last_accessed_at: lastAccessedAt };
      const inSync = await update({ ...done, status: 'InSync' }, wanted);
      // The primary changed again while this push ran: still behind, and the next pass pushes again.
      if (Number(inSync.numUpdatedRows) === 0) await update({ ...done, status: 'InProgress' });
    } catch (err) {
      const message = err instanceof ReplicationRefused ? err.message
        : err instanceof AwsError ? `Replication failed: ${err.code}: ${err.message}`
        : 'Replication failed: an internal error occurred; retrying.';
      if (!(err instanceof ReplicationRefused) && !(err instanceof AwsError)) log.error({ err, region: row.region, secretId: row.secret_id }, 'replication push failed');
      else log.warn({ region: row.region, secretId: row.secret_id, reason: message }, 'replication push failed');
      await update({
        status: row.removing === 1 ? row.status : 'Failed', status_message: message,
        attempts: row.attempts + 1, next_attempt_at: now + backoff(row.attempts + 1),
      });
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
      if (stopped()) break;
      await one(row);
    }
    return due.length + await detaches(stopped);
  }

  let again = false;
  const task = startPeriodicTask(async (stopped) => {
    let n = 0;
    do {
      again = false;
      n += await pass(stopped);
    } while (again && !stopped());
    return n;
  }, { intervalMs, log, idle: 0, failure: 'replication pass failed' });
  return {
    ...task,
    kick() {
      again = true;
      task.runOnce().catch((err) => log.error({ err }, 'replication pass failed; retrying on the next pass'));
    },
  };
}
