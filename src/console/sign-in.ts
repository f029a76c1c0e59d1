/**
 * Console sign-in: turns a password (plus a TOTP code when the user has an MFA device) or a
 * SigV4-signed request made with a long-term access key into temporary session credentials,
 * which the browser keeps in memory and signs every API call with. Sessions are ordinary STS
 * sessions (app.credentials.sessions) marked `consoleSession`, so the same policies apply as
 * to the CLI, and IAM is callable without MFA as in AWS's console (session-guard.ts).
 *
 * Failures: one message for a wrong account, user, password or code, answered no sooner than
 * a fixed floor so timing tells little; repeated failures back off (backoff.ts).
 *
 * Password age (account password policy MaxPasswordAge, password-expiry.ts): an expired
 * password signs in but must be changed first (`passwordChangeRequired`, `passwordExpired`);
 * under HardExpiry the sign-in is refused (403 `PasswordExpired`) until an administrator resets it.
 */
import type { Principal } from '../auth/principal.ts';
import type { IssuedCredentials, SessionPrincipal } from '../auth/sessions.ts';
import { isTemporary } from '../auth/principal.ts';
import { findLoginProfile, verifyLoginPassword } from '../services/iam/login-profiles.ts';
import { findUser } from '../services/iam/identity-store.ts';
import { findPasswordPolicy } from '../services/iam/account-password-policy.ts';
import { passwordAge } from '../services/iam/password-expiry.ts';
import { acceptCode } from '../services/iam/mfa-store.ts';
import type { Sealer } from '../services/iam/mfa-store.ts';
import type { App } from '../app.ts';
import { SignInBackoff } from './backoff.ts';

/** AWS's console sessions: 12 hours for IAM users, one hour for the root user. */
export const USER_SESSION_SECONDS = 12 * 3600;
export const ROOT_SESSION_SECONDS = 3600;
/** No answer to a password sign-in comes sooner, whatever failed. */
const MIN_ANSWER_MS = 400;

export const SIGN_IN_FAILED = 'Your authentication information is incorrect. Please try again.';
/** HardExpiry: the password was right but is past MaxPasswordAge; only an administrator's reset helps. */
export const PASSWORD_HARD_EXPIRED = 'Your password has expired, and the account password policy does not let you choose a new one at sign-in. Ask an administrator to reset your password.';

export class ConsoleError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, unknown> = {}) {
    super(message);
  }
}

const signInFailed = () => new ConsoleError(401, 'SignInFailed', SIGN_IN_FAILED);

export interface ConsoleIdentity {
  accountId: string;
  arn: string;
  userName?: string;
  isRoot: boolean;
}

export interface SignedIn {
  status: 'signed-in';
  identity: ConsoleIdentity;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
  /** The user must choose a new password (PasswordResetRequired, or an expired one) before going on. */
  passwordChangeRequired: boolean;
  /** Why: the password is older than the account password policy's MaxPasswordAge. */
  passwordExpired: boolean;
  mfa: boolean;
}

export type SignInResult = SignedIn | { status: 'mfa-required' };

/** Who signed in (or tried to), for the audit trail's ConsoleLogin event. Never holds a secret. */
export interface SignInNote {
  principal?: Principal;
  mfaUsed?: boolean;
}

export interface SignInDeps {
  app: Pick<App, 'store' | 'credentials'>;
  sealer: Sealer;
  backoff: SignInBackoff;
  now: () => number;
}

function wire(c: IssuedCredentials): SignedIn['credentials'] {
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() };
}

async function issue(deps: SignInDeps, principal: SessionPrincipal, extra: { passwordChangeRequired?: boolean; passwordExpired?: boolean } = {}): Promise<SignedIn> {
  const now = deps.now();
  const durationSeconds = principal.type === 'Root' ? ROOT_SESSION_SECONDS : USER_SESSION_SECONDS;
  const credentials = await deps.app.credentials.sessions.issue({ principal: { ...principal, issuedAt: now, consoleSession: true }, durationSeconds, now });
  return {
    status: 'signed-in',
    identity: { accountId: principal.accountId, arn: principal.arn, userName: principal.userName, isRoot: principal.type === 'Root' },
    credentials: wire(credentials),
    passwordChangeRequired: extra.passwordChangeRequired ?? false,
    passwordExpired: extra.passwordExpired ?? false,
    mfa: principal.mfaAuthenticatedAt !== undefined,
  };
}

export interface PasswordSignInInput {
  accountId: string;
  userName: string;
  password: string;
  mfaCode?: string;
}

/** Checks the body's shape; anything else is the generic failure (nothing is looked up). */
export function parsePasswordSignIn(body: unknown): PasswordSignInInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (!str(b.accountId, 64) || !str(b.userName, 64) || !str(b.password, 128)) {
    throw new ConsoleError(400, 'ValidationError', 'Account ID, user name and password are required.');
  }
  if (b.mfaCode !== undefined && (typeof b.mfaCode !== 'string' || !/^\d{6}$/.test(b.mfaCode))) {
    throw new ConsoleError(400, 'ValidationError', 'The MFA code is the 6 digits your authenticator app shows.');
  }
  return { accountId: (b.accountId as string).trim(), userName: b.userName as string, password: b.password as string, mfaCode: b.mfaCode as string | undefined };
}

async function enabledDevices(deps: SignInDeps, accountId: string, userKey: string) {
  return deps.app.store.db.selectFrom('iam_mfa_devices').selectAll()
    .where('account_id', '=', accountId).where('user_key', '=', userKey).where('enabled_at', 'is not', null).execute();
}

/** An IAM user's password (and MFA code) sign-in. `sourceIp` keys the backoff. */
export async function passwordSignIn(deps: SignInDeps, input: PasswordSignInInput, sourceIp: string, note: SignInNote = {}): Promise<SignInResult> {
  const started = deps.now();
  const keys = [{ key: `user:${input.accountId}/${input.userName.toLowerCase()}`, free: 5 }, { key: `ip:${sourceIp}`, free: 20 }];
  const wait = deps.backoff.waitFor(keys);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ConsoleError(429, 'TooManyAttempts', `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, { retryAfterSeconds: seconds });
  }
  const fail = async (): Promise<never> => {
    deps.backoff.failed(keys);
    const left = MIN_ANSWER_MS - (deps.now() - started);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    throw signInFailed();
  };
  const db = deps.app.store.db;
  if (!/^\d{12}$/.test(input.accountId)) {
    // Still verify against the decoy hash inside verifyLoginPassword's path: same cost.
    await verifyLoginPassword(db, '000000000000', '\u0000', input.password);
    return fail();
  }
  if (!await verifyLoginPassword(db, input.accountId, input.userName, input.password)) return fail();
  const user = (await findUser(db, input.accountId, input.userName))!;
  const profile = await findLoginProfile(db, input.accountId, user.user_key);
  // Deleted since the password was checked.
  if (!profile) return fail();
  const devices = await enabledDevices(deps, input.accountId, user.user_key);
  let mfaAt: number | undefined;
  if (devices.length > 0) {
    // As AWS's sign-in page does: the password was right, now ask for the code.
    if (input.mfaCode === undefined) return { status: 'mfa-required' };
    const now = deps.now();
    let accepted = false;
    for (const device of devices) {
      if (await acceptCode(db, deps.sealer, device, input.mfaCode, now)) { accepted = true; break; }
    }
    if (!accepted) return fail();
    mfaAt = now;
  }
  deps.backoff.succeeded(keys);
  note.principal = { type: 'IAMUser', arn: user.arn, accountId: input.accountId, userId: user.user_id, userName: user.user_name, accessKeyId: '' };
  note.mfaUsed = mfaAt !== undefined;
  // Password age is judged only once the user has proven who they are (password and code), so
  // the answer tells nothing to someone who merely knows the password of an MFA user.
  const now = deps.now();
  const age = passwordAge(await findPasswordPolicy(db, input.accountId), profile, now);
  if (age.hardExpired) throw new ConsoleError(403, 'PasswordExpired', PASSWORD_HARD_EXPIRED);
  // GetUser/ListUsers' PasswordLastUsed.
  await db.updateTable('iam_users').set({ password_last_used_at: now })
    .where('account_id', '=', input.accountId).where('user_key', '=', user.user_key).execute();
  const principal: SessionPrincipal = {
    type: 'IAMUser', arn: user.arn, accountId: input.accountId, userId: user.user_id, userName: user.user_name,
    ...(mfaAt !== undefined ? { mfaAuthenticatedAt: mfaAt } : {}),
  };
  return issue(deps, principal, { passwordChangeRequired: Boolean(Number(profile.password_reset_required)) || age.expired, passwordExpired: age.expired });
}

/**
 * Sign-in with a long-term access key: the request was SigV4-signed in the browser and
 * verified by `authenticate`; `principal` is whom the key belongs to. Temporary keys are
 * refused: a console session does not beget another.
 */
export async function accessKeySignIn(deps: SignInDeps, principal: Principal, note: SignInNote = {}): Promise<SignedIn> {
  note.principal = principal;
  note.mfaUsed = false;
  if (isTemporary(principal)) throw new ConsoleError(403, 'AccessDenied', 'Sign in with a long-term access key (AKIA…), not temporary credentials.');
  if (principal.type !== 'Root' && principal.type !== 'IAMUser') throw signInFailed();
  const { accessKeyId: _longTermKey, mfaAuthenticatedAt: _mfa, ...identity } = principal;
  return issue(deps, identity);
}
