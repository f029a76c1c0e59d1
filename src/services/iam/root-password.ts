/**
 * The account root user's console password. AWS sets it at sign-up and resets it by e-mail;
 * coffer has neither, so the operator sets and resets it with `coffer accounts root-password`
 * (src/cli/root-password.ts). Stored as IAM login profiles are: an argon2id PHC string only.
 *
 * The password must meet AWS's rule for root passwords — 8 to 128 characters with at least
 * three of uppercase, lowercase, digits and symbols — which is also IAM's default password
 * policy; the account password policy does not apply to the root user, as in AWS.
 */
import { verify } from '@node-rs/argon2';
import { checkPassword } from './account-password-policy.ts';
import { hashPassword, verifyAgainstDecoy } from './login-profiles.ts';
import type { Db } from './identity-store.ts';

export const ROOT_PASSWORD_RULE = 'The root password must be 8 to 128 characters and contain at least three of: uppercase letters, lowercase letters, digits, symbols.';

/** Whether `password` may be a root password (AWS's rule); throws nothing. */
export function isAcceptableRootPassword(password: string): boolean {
  try {
    checkPassword(undefined, password);
    return true;
  } catch {
    return false;
  }
}

/** Sets (or replaces) the account's root password. The caller has checked the account exists. */
export async function setRootPassword(db: Db, accountId: string, password: string, now: number): Promise<'set' | 'replaced'> {
  const passwordHash = await hashPassword(password);
  const existing = await db.selectFrom('root_passwords').select('account_id').where('account_id', '=', accountId).executeTakeFirst();
  if (existing) {
    await db.updateTable('root_passwords').set({ password_hash: passwordHash, password_set_at: now }).where('account_id', '=', accountId).execute();
    return 'replaced';
  }
  await db.insertInto('root_passwords').values({ account_id: accountId, password_hash: passwordHash, created_at: now, password_set_at: now })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ password_hash: passwordHash, password_set_at: now })).execute();
  return 'set';
}

/** Whether `password` is the account's root password; an account without one costs the same. */
export async function verifyRootPassword(db: Db, accountId: string, password: string): Promise<boolean> {
  const row = await db.selectFrom('root_passwords').select('password_hash').where('account_id', '=', accountId).executeTakeFirst();
  if (!row) return verifyAgainstDecoy(password);
  return verify(row.password_hash, password).catch(() => false);
}
