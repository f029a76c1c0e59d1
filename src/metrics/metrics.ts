/**
 * The node's Prometheus metrics, served at `/metrics` (docs/operations.md, "Metrics").
 *
 * Request metrics come from the request observers (one record per finished API request);
 * rotations from the rotation driver's attempt ends; cache, pool and process figures are read
 * when scraped. Labels hold only bounded, non-sensitive values: service, operation, error
 * code, cache name. Never a secret name, ARN, principal or access key id, so the page can be
 * served without authentication, as most exporters are.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestObservers, RequestRecord } from '../observe/request-record.ts';
import type { AttemptEnd } from '../services/secretsmanager/rotation/driver.ts';
import { outcomeOf, isAuthenticationFailure, isAuthorizationDenial } from './request-outcome.ts';

/** What a cache exposes: lookups answered from memory (`hits`) and not (`misses`). */
export interface CountedCache {
  hits: number;
  misses: number;
}

export interface MetricsSources {
  observers: RequestObservers;
  /** Where rotation attempt ends are announced (RotationDriver.ended). */
  rotationEnded: Set<(end: AttemptEnd) => void>;
  /** Caches by name; a getter may answer undefined when that cache is off. */
  caches: Record<string, () => CountedCache | undefined>;
  database: { dialect: string; pool?: () => { total: number; idle: number; waiting: number } };
  /** Live nodes on this node's database, from the cluster heartbeats (1 on SQLite). */
  liveNodes: () => number;
}

export interface Metrics {
  registry: Registry;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
  /** Stops listening to the sources. */
  close(): void;
}

/** Seconds; from a cached GetSecretValue (well under a millisecond) to a slow rotation call. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'coffer_requests_total',
    help: 'API requests by service, operation and outcome (success, client_error, server_error); code is the AWS error code answered, empty on success.',
    labelNames: ['service', 'operation', 'outcome', 'code'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'coffer_request_duration_seconds',
    help: 'Time from a request\'s arrival until its response was sent, by service and operation.',
    labelNames: ['service', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'coffer_authentication_failures_total',
    help: 'Requests refused before a principal was known (missing, malformed, expired or wrong signatures and credentials), by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const denials = new Counter({
    name: 'coffer_authorization_denials_total',
    help: 'Authenticated requests answered with AccessDeniedException, by service and operation.',
    labelNames: ['service', 'operation'] as const,
    registers: [registry],
  });
  const rotations = new Counter({
    name: 'coffer_rotations_total',
    help: 'Rotation attempts that ended on this node, by kind (rotate, or test of the configuration) and outcome.',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });

  const caches = Object.entries(sources.caches);
  new Counter({
    name: 'coffer_cache_lookups_total',
    help: 'In-memory cache lookups by cache and result (hit, miss) since the process started.',
    labelNames: ['cache', 'result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, get] of caches) {
        const cache = get();
        if (!cache) continue;
        this.inc({ cache: name, result: 'hit' }, cache.hits);
        this.inc({ cache: name, result: 'miss' }, cache.misses);
      }
    },
  });
  new Gauge({
    name: 'coffer_cache_hit_ratio',
    help: 'Hits over lookups since the process started, by cache (absent until the first lookup).',
    labelNames: ['cache'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, get] of caches) {
        const cache = get();
        const lookups = cache ? cache.hits + cache.misses : 0;
        if (cache && lookups > 0) this.set({ cache: name }, cache.hits / lookups);
      }
    },
  });

  new Gauge({
    name: 'coffer_cluster_live_nodes',
    help: 'Nodes serving this database whose heartbeats are current, this one included; each holds 1/N of every throttling quota.',
    registers: [registry],
    collect() {
      this.set(sources.liveNodes());
    },
  });

  const { dialect, pool } = sources.database;
  new Gauge({
    name: 'coffer_database_info',
    help: 'The database engine this node uses (always 1).',
    labelNames: ['dialect'] as const,
    registers: [registry],
    collect() {
      this.set({ dialect }, 1);
    },
  });
  if (pool) {
    new Gauge({
      name: 'coffer_database_pool_connections',
      help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one.',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const stats = pool();
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  // A request's service may be only what its credential scope claims (any string a client
  // signs for). Only a service one of whose operations was served becomes a label, so junk
  // names cannot grow the label set without bound.
  const servedServices = new Set<string>();
  const onRequest = (record: RequestRecord) => {
    if (record.service !== undefined && record.operation !== undefined) servedServices.add(record.service);
    const service = record.service !== undefined && servedServices.has(record.service) ? record.service : 'unknown';
    const operation = record.operation ?? 'unknown';
    const { outcome, code } = outcomeOf(record);
    requests.inc({ service, operation, outcome, code });
    latency.observe({ service, operation }, record.durationMs / 1000);
    if (isAuthenticationFailure(record)) authFailures.inc({ code });
    else if (isAuthorizationDenial(record)) denials.inc({ service, operation });
  };
  const stopObserving = sources.observers.add(onRequest);
  const onRotation = (end: AttemptEnd) => rotations.inc({ kind: end.kind, outcome: end.outcome });
  sources.rotationEnded.add(onRotation);

  return {
    registry,
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
    close() {
      stopObserving();
      sources.rotationEnded.delete(onRotation);
    },
  };
}
