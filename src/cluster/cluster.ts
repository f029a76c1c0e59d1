/**
 * This node's place among the nodes sharing its database: an id, the change bus that keeps
 * every in-process cache in step with the others (PostgreSQL), the heartbeat that notices a
 * peer's death, and the leases background jobs run under. On the embedded SQLite database the
 * node is alone: caches trust themselves, and the leases are uncontested.
 *
 * docs/deployment.md explains the whole picture and lists every cache.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Store } from '../storage/database.ts';
import { postgresConnection } from '../storage/database.ts';
import { LOCAL_ONLY, type CacheSync, type ChangeTopic } from './cache-sync.ts';
import { startChangeBus, type ChangeBus } from './change-bus.ts';
import { databaseLeases, type Leases } from './leases.ts';
import { joinCluster, type Membership } from './membership.ts';

/** Every cache that holds database state, and how to drop from it what another node changed. */
export interface ClusterCaches {
  /** Secret rows and versions (src/storage/secret-read-cache.ts). */
  secrets?: { dropRemote(secretId: string): void; clear(): void };
  /** KMS key metadata and material (src/services/kms/key-store.ts). */
  keys: { dropRemote(keyId: string): void; forgetRemote(keyId: string): void; clear(): void };
  /** Resolved access keys (src/auth/credentials.ts). */
  credentials: { dropRemote(accessKeyId: string): void; clear(): void };
  /** Compiled per-principal IAM policy sets (src/auth/principal-policy-cache.ts). */
  policies: { clear(): void };
}

export interface Cluster {
  nodeId: string;
  /** What the caches are built with. */
  sync: CacheSync;
  leases: Leases;
  /** Once the caches exist: from now on other nodes' changes drop entries from them. */
  attach(caches: ClusterCaches): void;
  /**
   * Calls `listener` with the number of live nodes (this one included; always 1 on SQLite) now
   * and whenever it changes: a peer joins or leaves within a heartbeat, dies within PEER_DEAD_MS.
   */
  watchLiveNodes(listener: (liveNodes: number) => void): void;
  close(): Promise<void>;
}

const ALONE: Leases = { acquire: async () => true, release: async () => undefined };

export async function startCluster(store: Store, databaseUrl: string, log: Logger): Promise<Cluster> {
  const nodeId = randomUUID();
  if (store.dialect !== 'postgres') {
    // The serve lock makes this node the database's only server: every lease is its own (and
    // a restart after a crash need not wait for the dead process's lease to expire).
    return { nodeId, sync: LOCAL_ONLY, leases: ALONE, attach: () => undefined, watchLiveNodes: (listener) => listener(1), close: async () => undefined };
  }
  const leases = databaseLeases(store.db, nodeId);

  let caches: ClusterCaches | undefined;
  const flushAll = (reason: string) => {
    if (!caches) return;
    log.info({ reason }, 'flushing every cache');
    caches.secrets?.clear();
    caches.keys.clear();
    caches.credentials.clear();
    caches.policies.clear();
  };
  const changed = (topic: ChangeTopic, key: string) => {
    if (!caches) return;
    switch (topic) {
      case 'secret': caches.secrets?.dropRemote(key); break;
      case 'kms-key': caches.keys.dropRemote(key); break;
      case 'kms-key-deleted': caches.keys.forgetRemote(key); break;
      case 'access-key': caches.credentials.dropRemote(key); break;
      case 'iam': caches.policies.clear(); break;
    }
  };

  // One channel per schema: deployments sharing a PostgreSQL server (or the test suite) stay apart.
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db)).rows[0]?.schema ?? 'public';
  const channel = `coffer_${schema}`.slice(0, 63);
  const bus: ChangeBus = startChangeBus({
    connection: postgresConnection(databaseUrl),
    notify: async (ch, payload) => { await sql`select pg_notify(${ch}, ${payload})`.execute(store.db); },
    channel, nodeId, log, handlers: { changed, flushAll },
  });
  let liveNodes = 1;
  let liveNodesListener: ((liveNodes: number) => void) | undefined;
  let membership: Membership;
  try {
    membership = await joinCluster({
      db: store.db, nodeId, log,
      peerDied: (peer) => flushAll(`node ${peer} stopped without a goodbye; it may have written without telling`),
      liveNodesChanged: (n) => {
        liveNodes = n;
        log.info({ liveNodes: n }, 'cluster membership changed');
        liveNodesListener?.(n);
      },
    });
  } catch (err) {
    await bus.close();
    throw err;
  }

  return {
    nodeId,
    sync: bus,
    leases,
    attach(c) {
      caches = c;
    },
    watchLiveNodes(listener) {
      liveNodesListener = listener;
      listener(liveNodes);
    },
    async close() {
      await membership.leave();
      await bus.close();
    },
  };
}
