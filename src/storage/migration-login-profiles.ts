/**
 * IAM login profiles (migration 0003): a user's console password, as an argon2id hash (PHC
 * string, salt and parameters included). The password itself is never stored.
 */
import type { Kysely, Migration } from 'kysely';

export const loginProfilesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('iam_login_profiles')
      .addColumn('account_id', 'text', (c) => c.notNull())
      /** The user's `user_key` (lowercased name); follows a rename. */
      .addColumn('user_key', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('password_reset_required', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('iam_login_profiles_pk', ['account_id', 'user_key'])
      .execute();
  },
};
