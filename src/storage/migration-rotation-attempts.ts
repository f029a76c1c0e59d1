/**
 * Rotation attempts (migration 0010). Each run of a secret's rotation function (the four steps,
 * or the lone testSecret of `RotateImmediately=false`) is one row: what started it, its token,
 * each step's outcome and duration, and why it failed. What the function said (its error
 * message and log tail) can hold secret values, so it is stored only sealed (`detail_sealed`).
 *
 * `secrets.rotation_due_at` is when the scheduler next starts (or resumes, or retries) the
 * secret's rotation: a moment inside the next window, chosen at random as AWS rotates "at any
 * time during this window", or a lease while a rotation runs. NextRotationDate stays what
 * DescribeSecret shows (the window's last second).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function rotationAttemptsMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('secrets').addColumn('rotation_due_at', 'bigint').execute();
      // Secrets configured before this migration keep their schedule: due at the window's end.
      await sql`update secrets set rotation_due_at = next_rotation_at where rotation_enabled = 1 and next_rotation_at is not null`.execute(db);
      await db.schema.createIndex('secrets_rotation_due_idx').on('secrets').columns(['rotation_due_at']).execute();
      await db.schema.createTable('rotation_attempts')
        .addColumn('attempt_id', 'text', (c) => c.primaryKey())
        .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
        /** The ClientRequestToken: the AWSPENDING version's id. */
        .addColumn('token', 'text', (c) => c.notNull())
        /** 'rotate' (four steps) or 'test' (RotateImmediately=false: testSecret only). */
        .addColumn('kind', 'text', (c) => c.notNull())
        /** 'RotateSecret', 'schedule' or 'retry'. */
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('function_arn', 'text', (c) => c.notNull())
        /** 'running', 'succeeded', 'failed' or 'interrupted'. */
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        /** JSON [{step, outcome, startedAt, durationMs, errorCode?}]: no function output. */
        .addColumn('steps', 'text', (c) => c.notNull())
        /** coffer's own words for a failure (no function output). */
        .addColumn('error', 'text')
        /** Sealed JSON {steps: {[step]: {errorType?, errorMessage?, logTail?}}}. */
        .addColumn('detail_sealed', sql.raw(bytes))
        .execute();
      await db.schema.createIndex('rotation_attempts_secret_idx').on('rotation_attempts').columns(['secret_id', 'started_at']).execute();
    },
  };
}
