import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { passwordSetAtMigration } from './migration-password-set-at.ts';

test('0014 backfills password_set_at: creation for a never-changed password, the upgrade time otherwise', async () => {
  const db = new Kysely<{ iam_login_profiles: { user_key: string; created_at: number; password_history: string | null; password_set_at?: number | null } }>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
  try {
    await db.schema.createTable('iam_login_profiles')
      .addColumn('user_key', 'text').addColumn('created_at', 'bigint').addColumn('password_history', 'text').execute();
    await db.insertInto('iam_login_profiles').values([
      { user_key: 'never-changed', created_at: 1000, password_history: null },
      { user_key: 'changed', created_at: 2000, password_history: '["$argon2id$..."]' },
    ]).execute();
    await passwordSetAtMigration(() => 5000).up(db);
    const rows = await db.selectFrom('iam_login_profiles').select(['user_key', 'password_set_at']).orderBy('user_key').execute();
    assert.deepEqual(rows.map((r) => [r.user_key, Number(r.password_set_at)]), [['changed', 5000], ['never-changed', 1000]]);
  } finally {
    await db.destroy();
  }
});
