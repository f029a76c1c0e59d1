/**
 * Password age (migration 0014): `iam_login_profiles.password_set_at`, when the profile's
 * current password was set (CreateLoginProfile, UpdateLoginProfile with a password,
 * ChangePassword). The account password policy's MaxPasswordAge counts from it; a console
 * sign-in with an older password must change it first, or is refused with HardExpiry.
 *
 * Existing profiles: one never changed (no history) got its password when it was created; for
 * one changed since, the date of the change was not recorded, so the upgrade counts from now —
 * nobody is locked out by the upgrade itself.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function passwordSetAtMigration(now: () => number = Date.now): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('iam_login_profiles').addColumn('password_set_at', 'bigint').execute();
      await sql`update iam_login_profiles set password_set_at = created_at where password_history is null`.execute(db);
      await sql`update iam_login_profiles set password_set_at = ${now()} where password_set_at is null`.execute(db);
    },
  };
}
