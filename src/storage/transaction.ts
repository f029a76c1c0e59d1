/**
 * Transactions that the database may abort because of other writers, retried here so a
 * client never sees a 500 for a conflict it did not cause: PostgreSQL's serialization
 * failures and deadlock victims, SQLite's "database is busy" when another process holds the
 * write lock past busy_timeout. The whole transaction reruns from the start, so the work
 * passed in must be a function of what it reads inside the transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.ts';

const PG_RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

export function isRetryableConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return PG_RETRYABLE.has(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

export async function transaction<T>(db: Kysely<Database>, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(fn);
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(err)) throw err;
      // Jittered backoff, so the writers that collided do not collide again in lockstep.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * 2 ** attempt));
    }
  }
}
