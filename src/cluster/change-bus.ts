/**
 * Cache invalidation between nodes that share one PostgreSQL database, through the database
 * itself: LISTEN/NOTIFY on a dedicated connection.
 *
 * - A node that changed something drops it from its own cache before acknowledging (as on one
 *   node) and publishes `topic key` on the deployment's channel (through its dedicated
 *   connection, so a busy pool cannot delay it); the others drop it when the notification
 *   arrives, within milliseconds.
 * - PostgreSQL delivers every notification committed after LISTEN, in commit order, for as
 *   long as the connection lives. So the only way to miss one is to lose the connection, and
 *   the node proves it has not: every `HEARTBEAT_MS` it notifies itself (a ping stamped with
 *   the time it was sent). Hearing a ping sent at S means every change committed before S
 *   has been heard. Memory is trusted only while the last ping heard was sent less than
 *   `TRUST_MS` ago; otherwise caches neither answer nor keep (`CacheSync.trusted()`), so a
 *   silently dead connection costs at most `TRUST_MS` of staleness, then cache misses.
 * - On every (re)connection, and whenever trust was lost, the first ping heard flushes every
 *   cache before trust returns: whatever was missed meanwhile is gone with it.
 * - A publish that fails (database briefly unreachable) is kept and retried with the next
 *   heartbeat; a node that crashes after committing but before publishing is covered by the
 *   membership watch (src/cluster/membership.ts): its heartbeat row goes stale and every
 *   other node flushes.
 *
 * The channel is named for the database schema, so deployments (or test runs) sharing one
 * PostgreSQL server do not hear each other.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { CacheSync, ChangeTopic } from './cache-sync.ts';

export const HEARTBEAT_MS = 250;
export const TRUST_MS = 1_000;
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_000;
const RECONNECT_MAX_MS = 2_000;
/** A connection that has not carried a ping back for this long is presumed dead (half-open TCP) and replaced. */
const SILENT_CONNECTION_MS = 5_000;
/** A publish stuck on a connection that died silently is retried (on the replacement). */
const PUBLISH_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface ChangeHandlers {
  /** Another node changed `key` under `topic`. */
  changed(topic: ChangeTopic, key: string): void;
  /** This node may have missed changes: forget everything cached. */
  flushAll(reason: string): void;
}

export interface ChangeBusOptions {
  /** Connection settings for the dedicated LISTEN connection (src/storage/database.ts postgresConnection). */
  connection: pg.ClientConfig;
  /** Runs NOTIFY statements for published changes while the dedicated connection is down (the store's pool). */
  notify: (channel: string, payload: string) => Promise<void>;
  /** The channel: one per deployment (schema). */
  channel: string;
  nodeId: string;
  handlers: ChangeHandlers;
  log: Logger;
  heartbeatMs?: number;
  trustMs?: number;
}

export interface ChangeBus extends CacheSync {
  /** Resolves once the first ping came back (caches trusted), or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  /** Sends what is still queued, stops listening. */
  close(): Promise<void>;
}

const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['secret', 'kms-key', 'kms-key-deleted', 'access-key', 'iam']);

export function startChangeBus(o: ChangeBusOptions): ChangeBus {
  const heartbeatMs = o.heartbeatMs ?? HEARTBEAT_MS;
  const trustMs = o.trustMs ?? TRUST_MS;
  let client: pg.Client | undefined;
  let closed = false;
  /** When the last ping heard on the live connection was sent; -Infinity: none since (re)connecting. */
  let trustedAsOf = -Infinity;
  let reconnectDelay = 100;
  let connectedAt = 0;
  let queue: string[] = [];
  let sending: Promise<void> | undefined;
  let flushScheduled = false;
  const readyWaiters = new Set<() => void>();

  const trusted = () => Date.now() - trustedAsOf < trustMs;

  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== o.channel || msg.payload === undefined) return;
    const lines = msg.payload.split('\n');
    const [kind, origin, stamp] = lines[0]!.split(' ');
    if (kind === 'p') {
      if (origin !== o.nodeId) return;
      const sentAt = Number(stamp);
      if (!trusted()) o.handlers.flushAll(trustedAsOf === -Infinity ? 'listening (again) for changes' : 'change notifications were late');
      if (sentAt > trustedAsOf) trustedAsOf = sentAt;
      for (const resolve of readyWaiters) resolve();
      readyWaiters.clear();
      return;
    }
    if (kind !== 'c' || origin === o.nodeId) return;
    for (const line of lines.slice(1)) {
      const space = line.indexOf(' ');
      const topic = line.slice(0, space);
      if (space > 0 && TOPICS.has(topic)) o.handlers.changed(topic as ChangeTopic, line.slice(space + 1));
    }
  };

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return;
    client = undefined;
    trustedAsOf = -Infinity;
    c.removeAllListeners('notification');
    c.end().catch(() => undefined);
    if (closed) return;
    o.log.warn({ err: err?.message }, 'the change notification connection dropped; caches are bypassed until it is back');
    setTimeout(connect, reconnectDelay).unref();
    reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
  };

  const connect = () => {
    if (closed || client) return;
    const c = new pg.Client({ ...o.connection, keepAlive: true });
    client = c;
    connectedAt = Date.now();
    c.on('notification', onNotification);
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c));
    c.connect()
      .then(() => c.query(`LISTEN ${pg.escapeIdentifier(o.channel)}`))
      .then(() => {
        reconnectDelay = 100;
        ping();
      })
      .catch((err: Error) => lost(c, err));
  };

  const send = async () => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const payloads: string[] = [];
      let current = `c ${o.nodeId}`;
      for (const line of batch) {
        if (current.length + line.length + 1 > MAX_PAYLOAD) {
          payloads.push(current);
          current = `c ${o.nodeId}`;
        }
        current += `\n${line}`;
      }
      payloads.push(current);
      try {
        for (const payload of payloads) {
          // On the dedicated connection when it is up: a busy pool must not delay what other
          // nodes are owed within a second. The pool otherwise.
          const c = client;
          await withTimeout<unknown>(c ? c.query('select pg_notify($1, $2)', [o.channel, payload]) : o.notify(o.channel, payload), PUBLISH_TIMEOUT_MS);
        }
      } catch (err) {
        // Kept for the next heartbeat; a duplicate notification only drops a cache entry twice.
        queue = batch.concat(queue);
        o.log.warn({ err: (err as Error).message }, 'publishing cache invalidations failed; retrying');
        return;
      }
    }
  };

  const flush = () => {
    flushScheduled = false;
    if (sending || queue.length === 0) return;
    sending = send().finally(() => {
      sending = undefined;
      if (queue.length > 0 && !flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  };

  // The ping goes out on the listening connection itself: it proves that connection, and it
  // never waits behind a busy pool (which would make a loaded node distrust its caches).
  let pingingOn: pg.Client | undefined;
  const ping = () => {
    const c = client;
    if (!c || closed || pingingOn === c) return;
    pingingOn = c;
    c.query('select pg_notify($1, $2)', [o.channel, `p ${o.nodeId} ${Date.now()}`])
      .catch(() => undefined) // the connection's own error event reconnects
      .finally(() => { if (pingingOn === c) pingingOn = undefined; });
  };

  const timer = setInterval(() => {
    if (client && Date.now() - Math.max(trustedAsOf, connectedAt) > SILENT_CONNECTION_MS) {
      lost(client, new Error(`no heartbeat came back for ${SILENT_CONNECTION_MS} ms`));
    }
    ping();
    flush();
  }, heartbeatMs);
  timer.unref();
  connect();

  return {
    trusted,
    publish(topic: ChangeTopic, key: string) {
      queue.push(`${topic} ${key}`);
      // Writes in one tick share a notification.
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    },
    ready(timeoutMs: number) {
      if (trusted()) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timeout);
          resolve(true);
        };
        const timeout = setTimeout(() => {
          readyWaiters.delete(done);
          resolve(false);
        }, timeoutMs);
        readyWaiters.add(done);
      });
    },
    async close() {
      clearInterval(timer);
      await sending;
      flush();
      await sending;
      closed = true;
      const c = client;
      client = undefined;
      trustedAsOf = -Infinity;
      await c?.end().catch(() => undefined);
    },
  };
}
