/**
 * `/ready`: can this node serve requests right now? It can when its database answers a
 * trivial query. Probes come every few seconds from each load balancer and orchestrator, so
 * one answer is reused for `cacheMs` and concurrent probes share one query in flight.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface ReadinessAnswer {
  ready: boolean;
  /** Why not, in words an operator can act on. */
  reason?: string;
}

export interface Readiness {
  check(): Promise<ReadinessAnswer>;
}

export interface ReadinessOptions {
  /** How long an answer is reused (default 1 s). */
  cacheMs?: number;
  /** A database that has not answered after this long counts as unreachable (default 2 s). */
  timeoutMs?: number;
  now?: () => number;
}

export function databaseReadiness(db: Kysely<Database>, options: ReadinessOptions = {}): Readiness {
  const cacheMs = options.cacheMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  let last: { at: number; answer: ReadinessAnswer } | undefined;
  let inFlight: Promise<ReadinessAnswer> | undefined;

  const probe = async (): Promise<ReadinessAnswer> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ReadinessAnswer>((resolve) => {
      timer = setTimeout(() => resolve({ ready: false, reason: `the database did not answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const query = sql`select 1`.execute(db).then(
      (): ReadinessAnswer => ({ ready: true }),
      // The driver's message names the host or file, never a password (URLs are not logged here).
      (err: unknown): ReadinessAnswer => ({ ready: false, reason: `the database is unreachable: ${err instanceof Error ? err.message : String(err)}` }),
    );
    try {
      return await Promise.race([query, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    check() {
      if (last && now() - last.at < cacheMs) return Promise.resolve(last.answer);
      inFlight ??= probe().then((answer) => {
        last = { at: now(), answer };
        inFlight = undefined;
        return answer;
      });
      return inFlight;
    },
  };
}
