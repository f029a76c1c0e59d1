/**
 * Who is serving: every node writes its heartbeat into `cluster_nodes` (migration 0013) each
 * second and reads everyone else's. A peer whose heartbeat stops without a goodbye (a clean
 * stop deletes its row) died: it may have committed a write and died before publishing the
 * invalidation (src/cluster/change-bus.ts), so this node flushes every cache once. A peer
 * gone for an hour is removed from the table.
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/schema.ts';

export const MEMBERSHIP_INTERVAL_MS = 1_000;
/** A heartbeat older than this: the node is dead. */
export const PEER_DEAD_MS = 5_000;
const FORGET_AFTER_MS = 3600_000;

export interface Membership {
  /** Deletes this node's row: the others know it left cleanly. */
  leave(): Promise<void>;
}

export async function joinCluster(o: {
  db: Kysely<Database>;
  nodeId: string;
  log: Logger;
  /** A peer died without a goodbye. */
  peerDied: (nodeId: string) => void;
  /** The number of live nodes, this one included, changed (throttling shares its quotas by it). */
  liveNodesChanged?: (liveNodes: number) => void;
  intervalMs?: number;
  deadMs?: number;
}): Promise<Membership> {
  const intervalMs = o.intervalMs ?? MEMBERSHIP_INTERVAL_MS;
  const deadMs = o.deadMs ?? PEER_DEAD_MS;
  const startedAt = Date.now();
  await o.db.insertInto('cluster_nodes').values({
    node_id: o.nodeId, description: `${hostname()}:${process.pid}`, started_at: startedAt, heartbeat_at: startedAt,
  }).execute();
  let alive = new Set<string>();
  let liveNodes = 1;
  let running: Promise<void> | undefined;
  let left = false;

  const beat = async () => {
    const now = Date.now();
    await o.db.updateTable('cluster_nodes').set({ heartbeat_at: now }).where('node_id', '=', o.nodeId).execute();
    const rows = await o.db.selectFrom('cluster_nodes').select(['node_id', 'heartbeat_at']).execute();
    const next = new Set<string>();
    for (const row of rows) {
      if (row.node_id === o.nodeId) continue;
      const age = now - Number(row.heartbeat_at);
      if (age < deadMs) next.add(row.node_id);
      else if (alive.has(row.node_id)) o.peerDied(row.node_id);
    }
    alive = next;
    if (next.size + 1 !== liveNodes && !left) {
      liveNodes = next.size + 1;
      o.liveNodesChanged?.(liveNodes);
    }
    await o.db.deleteFrom('cluster_nodes').where('heartbeat_at', '<', now - FORGET_AFTER_MS).execute();
  };
  const tick = () => {
    if (running || left) return;
    running = beat().catch((err: Error) => o.log.warn({ err: err.message }, 'cluster heartbeat failed')).finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  // The first beat before serving: a node that joins knows its peers (and takes only its share
  // of each throttling quota) from its first request.
  await running;

  return {
    async leave() {
      left = true;
      clearInterval(timer);
      await running;
      await o.db.deleteFrom('cluster_nodes').where('node_id', '=', o.nodeId).execute().catch(() => undefined);
    },
  };
}
