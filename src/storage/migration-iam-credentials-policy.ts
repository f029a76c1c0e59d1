/**
 * IAM credential hygiene (migration 0007): the account password policy, the password history
 * behind PasswordReusePrevention, and the state that lets a virtual MFA device refuse a code it
 * has already accepted.
 *
 * - `iam_password_policies`: at most one row per account (UpdateAccountPasswordPolicy writes it
 *   whole, DeleteAccountPasswordPolicy removes it; without a row AWS's default policy applies).
 * - `iam_login_profiles.password_history`: JSON array of earlier argon2id hashes, newest first;
 *   the passwords themselves are never stored. It lives on the profile row so it follows a
 *   rename and goes with the profile.
 * - `iam_mfa_devices.last_used_step`: the highest TOTP time step (epoch seconds / 30) the device
 *   has accepted. A code is accepted only for a later step, with a conditional UPDATE, so two
 *   nodes (or a restart) cannot both accept the same code. `drift_steps`: the clock offset that
 *   ResyncMFADevice found, in 30-second steps (null: none).
 */
import type { Kysely, Migration } from 'kysely';

export const iamCredentialsPolicyMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('iam_password_policies')
      .addColumn('account_id', 'text', (c) => c.primaryKey())
      .addColumn('minimum_password_length', 'integer', (c) => c.notNull())
      .addColumn('require_symbols', 'integer', (c) => c.notNull())
      .addColumn('require_numbers', 'integer', (c) => c.notNull())
      .addColumn('require_uppercase', 'integer', (c) => c.notNull())
      .addColumn('require_lowercase', 'integer', (c) => c.notNull())
      .addColumn('allow_users_to_change_password', 'integer', (c) => c.notNull())
      /** Days; null: passwords do not expire. */
      .addColumn('max_password_age', 'integer')
      /** How many earlier passwords may not be reused; null: no reuse prevention. */
      .addColumn('password_reuse_prevention', 'integer')
      .addColumn('hard_expiry', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // SQLite adds one column per ALTER TABLE.
    await db.schema.alterTable('iam_login_profiles').addColumn('password_history', 'text').execute();
    await db.schema.alterTable('iam_mfa_devices').addColumn('last_used_step', 'bigint').execute();
    await db.schema.alterTable('iam_mfa_devices').addColumn('drift_steps', 'integer').execute();
  },
};
