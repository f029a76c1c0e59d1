import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isRetryableConflict, transaction } from './transaction.ts';

/** A database whose transactions fail with `errors`, in order, then succeed. */
function flakyDb(errors: unknown[]): { db: Kysely<Database>; attempts: () => number } {
  let attempts = 0;
  const db = {
    transaction: () => ({
      execute: async (fn: (trx: unknown) => Promise<unknown>) => {
        attempts++;
        const err = errors.shift();
        if (err) throw err;
        return fn({});
      },
    }),
  } as unknown as Kysely<Database>;
  return { db, attempts: () => attempts };
}

const pgError = (code: string) => Object.assign(new Error(code), { code });

test('serialization failures, deadlocks and SQLite busy errors are retried; the caller sees the result', async () => {
  const { db, attempts } = flakyDb([pgError('40001'), pgError('40P01'), pgError('SQLITE_BUSY'), pgError('SQLITE_BUSY_SNAPSHOT')]);
  assert.equal(await transaction(db, async () => 'done'), 'done');
  assert.equal(attempts(), 5);
});

test('other errors are not retried', async () => {
  for (const err of [pgError('23505'), new Error('boom'), pgError('SQLITE_CONSTRAINT_PRIMARYKEY')]) {
    const { db, attempts } = flakyDb([err]);
    await assert.rejects(transaction(db, async () => 'never'), err);
    assert.equal(attempts(), 1);
  }
  assert.equal(isRetryableConflict(undefined), false);
  assert.equal(isRetryableConflict({ code: 40001 }), false);
});

test('a conflict that persists surfaces after a bounded number of attempts', async () => {
  const { db, attempts } = flakyDb(Array.from({ length: 20 }, () => pgError('40P01')));
  await assert.rejects(transaction(db, async () => 'never'), /40P01/);
  assert.equal(attempts(), 8);
});
