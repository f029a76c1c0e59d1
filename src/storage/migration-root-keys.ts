/**
 * Root key generations (migration 0006). One row per generation of the root key: how its
 * provider gets it back (argon2id salt and cost, a KMS ciphertext blob; never the key), a
 * sealed check value that proves a key is that generation's, and, only while a rotation
 * runs, each of the two keys wrapped under the other so every node can read both.
 *
 * A database from before generations existed has its check in `meta.root_key_check`; it
 * becomes generation 1, whose key came from a key file or COFFER_ROOT_KEY.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function rootKeysMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('root_keys')
        .addColumn('generation', 'integer', (c) => c.primaryKey())
        /** 'active', 'incoming' (a rotation is re-sealing to it) or 'retired'. */
        .addColumn('state', 'text', (c) => c.notNull())
        /** JSON: the provider's record (see src/crypto/root-key-source.ts). */
        .addColumn('provider', 'text', (c) => c.notNull())
        /** base64 of a known text sealed under this generation's key. */
        .addColumn('key_check', 'text', (c) => c.notNull())
        /** During a rotation: this generation's key sealed under the previous generation's. */
        .addColumn('wrapped_by_previous', sql.raw(bytes))
        /** During a rotation: the previous generation's key sealed under this one's. */
        .addColumn('previous_wrapped', sql.raw(bytes))
        /** JSON: a running rotation's progress, so an interrupted one resumes. */
        .addColumn('progress', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .execute();
      const legacy = await sql<{ value: string }>`select value from meta where key = 'root_key_check'`.execute(db);
      const check = legacy.rows[0]?.value;
      if (check !== undefined) {
        const now = Date.now();
        await sql`insert into root_keys (generation, state, provider, key_check, created_at, activated_at)
          values (1, 'active', ${JSON.stringify({ kind: 'file' })}, ${check}, ${now}, ${now})`.execute(db);
        await sql`delete from meta where key = 'root_key_check'`.execute(db);
      }
    },
  };
}
