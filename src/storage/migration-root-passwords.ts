/**
 * Root console passwords and account aliases (migration 0015).
 *
 * `root_passwords`: the account root user's console password, set by the operator with
 * `coffer accounts root-password`; an argon2id PHC string as IAM login profiles keep, never
 * the password. `iam_account_aliases`: IAM's CreateAccountAlias — one alias per account, each
 * alias unique on the server (AWS: unique in the partition), so the sign-in page can take it
 * instead of the 12-digit account id.
 */
import type { Kysely, Migration } from 'kysely';

export const rootPasswordsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('root_passwords')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('password_set_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('iam_account_aliases')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('alias', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};
