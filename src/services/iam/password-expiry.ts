/**
 * Password age under the account password policy: with MaxPasswordAge (days) a console
 * password expires that many days after it was set. What an expired password means is the
 * console sign-in's business (src/console/sign-in.ts): without HardExpiry the user must choose
 * a new password before going on; with HardExpiry the console refuses the sign-in until an
 * administrator sets a new password (UpdateLoginProfile) — the user may still change it through
 * the API with access keys (ChangePassword), as AWS documents.
 */
import type { PasswordPolicyRow } from './account-password-policy.ts';

export const DAY_MS = 86_400_000;

export interface PasswordAge {
  /** When the password expires (ms); absent: the policy sets no MaxPasswordAge. */
  expiresAt?: number;
  expired: boolean;
  /** Expired under HardExpiry: no console sign-in until an administrator resets it. */
  hardExpired: boolean;
}

export function passwordAge(
  policy: Pick<PasswordPolicyRow, 'max_password_age' | 'hard_expiry'> | undefined,
  profile: { password_set_at: number | null; created_at: number },
  now: number,
): PasswordAge {
  const maxAge = policy?.max_password_age === null || policy === undefined ? 0 : Number(policy.max_password_age);
  if (!(maxAge > 0)) return { expired: false, hardExpired: false };
  // A row written before migration 0014 was backfilled; created_at is the fallback all the same.
  const setAt = Number(profile.password_set_at ?? profile.created_at);
  const expiresAt = setAt + maxAge * DAY_MS;
  const expired = now >= expiresAt;
  return { expiresAt, expired, hardExpired: expired && Number(policy!.hard_expiry) === 1 };
}
