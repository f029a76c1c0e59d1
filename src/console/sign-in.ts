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
 * A session that must change its password is marked so, and the server lets it do nothing else
 * until ChangePassword succeeds (src/auth/password-change-gate.ts).
 *
 * The account root user signs in with the password the operator set (`coffer accounts
 * root-password`, root-password.ts): the account and `root: true` instead of a user name, so an
 * IAM user named "root" stays distinct. The account field takes the account id or its alias.
 */
import type { Principal } from '../auth/principal.ts';
import type { IssuedCredentials, SessionPrincipal } from '../auth/sessions.ts';
import { isTemporary, rootPrincipal } from '../auth/principal.ts';
import { findLoginProfile, verifyAgainstDecoy, verifyLoginPassword } from '../services/iam/login-profiles.ts';
import { verifyRootPassword } from '../services/iam/root-password.ts';
import { accountOf } from '../services/iam/account-aliases.ts';
import { findUser } from '../services/iam/identity-store.ts';
import { findPasswordPolicy } from '../services/iam/account-password-policy.ts';
import { passwordAge } from '../services/iam/password-expiry.ts';
import { acceptCode } from '../services/iam/mfa-store.ts';
import type { Sealer } from '../services/iam/mfa-store.ts';
import type { App } from '../app.ts';
import { SignInBackoff, type BackoffKey } from './backoff.ts';

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

/** What CloudTrail writes for a failed sign-in's user name when no such user exists. */
export const HIDDEN_USER_NAME = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * Who signed in (or tried to), for the audit trail's ConsoleLogin event. Never holds a secret.
 * A failed attempt on an account of this server names that account (so its LookupEvents lists
 * it) and the user when one of that name exists; a name that matches no user is not kept.
 */
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
  // The server, not only the page, holds a session that must change its password to that.
  const mark = extra.passwordChangeRequired ? { passwordChangeRequired: true } : {};
  const credentials = await deps.app.credentials.sessions.issue({ principal: { ...principal, issuedAt: now, consoleSession: true, ...mark }, durationSeconds, now });
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
  /** The account id, or its alias (CreateAccountAlias). */
  accountId: string;
  /** The IAM user's name; absent for the root user. */
  userName?: string;
  /** The account root user signs in (with the password `coffer accounts root-password` set). */
  root?: boolean;
  password: string;
  mfaCode?: string;
}

/** Checks the body's shape; anything else is the generic failure (nothing is looked up). */
export function parsePasswordSignIn(body: unknown): PasswordSignInInput {
  const b = (body ?? {}) as Record<string, unknown>;
  const str = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (b.root !== undefined && typeof b.root !== 'boolean') throw new ConsoleError(400, 'ValidationError', '`root` is true or false.');
  const root = b.root === true;
  if (root && b.userName !== undefined) throw new ConsoleError(400, 'ValidationError', 'The root user signs in without a user name.');
  if (!str(b.accountId, 64) || (!root && !str(b.userName, 64)) || !str(b.password, 128)) {
    throw new ConsoleError(400, 'ValidationError', root ? 'Account ID (or alias) and password are required.' : 'Account ID (or alias), user name and password are required.');
  }
  if (b.mfaCode !== undefined && (typeof b.mfaCode !== 'string' || !/^\d{6}$/.test(b.mfaCode))) {
    throw new ConsoleError(400, 'ValidationError', 'The MFA code is the 6 digits your authenticator app shows.');
  }
  return {
    accountId: (b.accountId as string).trim(), password: b.password as string, mfaCode: b.mfaCode as string | undefined,
    ...(root ? { root: true } : { userName: b.userName as string }),
  };
}

async function accountExists(deps: SignInDeps, accountId: string): Promise<boolean> {
  return (await deps.app.store.db.selectFrom('accounts').select('account_id').where('account_id', '=', accountId).executeTakeFirst()) !== undefined;
}

/**
 * Whom a failed attempt names in the audit trail: nobody when the account is not one of this
 * server's; else the root user, the IAM user of that name, or — no such user — a user whose
 * name is hidden, as CloudTrail writes it (what was typed might be a password).
 */
async function failedAttemptIdentity(deps: SignInDeps, accountId: string | undefined, input: PasswordSignInInput): Promise<Principal | undefined> {
  if (accountId === undefined || !await accountExists(deps, accountId)) return undefined;
  if (input.root) return rootPrincipal(accountId, '');
  const user = await findUser(deps.app.store.db, accountId, input.userName!);
  if (user) return { type: 'IAMUser', arn: user.arn, accountId, userId: user.user_id, userName: user.user_name, accessKeyId: '' };
  return { type: 'IAMUser', arn: '', accountId, userId: '', userName: HIDDEN_USER_NAME, accessKeyId: '' };
}

async function enabledDevices(deps: SignInDeps, accountId: string, userKey: string) {
  return deps.app.store.db.selectFrom('iam_mfa_devices').selectAll()
    .where('account_id', '=', accountId).where('user_key', '=', userKey).where('enabled_at', 'is not', null).execute();
}

/**
 * A password (and MFA code) sign-in: an IAM user's, or the root user's with `root`. `sourceIp`
 * keys the backoff.
 */
export async function passwordSignIn(deps: SignInDeps, input: PasswordSignInInput, sourceIp: string, note: SignInNote = {}): Promise<SignInResult> {
  const started = deps.now();
  const db = deps.app.store.db;
  // An alias and the id it stands for share one backoff.
  const accountId = await accountOf(db, input.accountId);
  const account = accountId ?? input.accountId;
  // The root user's key cannot be an IAM user's: '#' is not allowed in user names.
  const who = `user:${account}/${input.root ? '#root' : input.userName!.toLowerCase()}`;
  const keys = [{ key: who, free: 5 }, { key: `ip:${sourceIp}`, free: 20 }];
  const wait = deps.backoff.waitFor(keys);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    throw new ConsoleError(429, 'TooManyAttempts', `Too many failed sign-in attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`, { retryAfterSeconds: seconds });
  }
  const fail = async (): Promise<never> => {
    deps.backoff.failed(keys);
    note.principal = await failedAttemptIdentity(deps, accountId, input).catch(() => undefined);
    note.mfaUsed = input.mfaCode !== undefined;
    const left = MIN_ANSWER_MS - (deps.now() - started);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    throw signInFailed();
  };
  if (accountId === undefined) {
    // Not an account id, nor an alias: spend what a real check costs all the same.
    await verifyAgainstDecoy(input.password);
    return fail();
  }
  if (input.root) return rootSignIn(deps, accountId, input, keys, note, fail);
  if (!await verifyLoginPassword(db, accountId, input.userName!, input.password)) return fail();
  const user = (await findUser(db, accountId, input.userName!))!;
  const profile = await findLoginProfile(db, accountId, user.user_key);
  // Deleted since the password was checked.
  if (!profile) return fail();
  const devices = await enabledDevices(deps, accountId, user.user_key);
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
  note.principal = { type: 'IAMUser', arn: user.arn, accountId, userId: user.user_id, userName: user.user_name, accessKeyId: '' };
  note.mfaUsed = mfaAt !== undefined;
  // Password age is judged only once the user has proven who they are (password and code), so
  // the answer tells nothing to someone who merely knows the password of an MFA user.
  const now = deps.now();
  const age = passwordAge(await findPasswordPolicy(db, accountId), profile, now);
  if (age.hardExpired) throw new ConsoleError(403, 'PasswordExpired', PASSWORD_HARD_EXPIRED);
  // GetUser/ListUsers' PasswordLastUsed.
  await db.updateTable('iam_users').set({ password_last_used_at: now })
    .where('account_id', '=', accountId).where('user_key', '=', user.user_key).execute();
  const principal: SessionPrincipal = {
    type: 'IAMUser', arn: user.arn, accountId, userId: user.user_id, userName: user.user_name,
    ...(mfaAt !== undefined ? { mfaAuthenticatedAt: mfaAt } : {}),
  };
  return issue(deps, principal, { passwordChangeRequired: Boolean(Number(profile.password_reset_required)) || age.expired, passwordExpired: age.expired });
}

/**
 * The root user's password sign-in. Root MFA is not offered (the root user has no MFA devices
 * in coffer); the session lasts an hour, and never has to change its password (the account
 * password policy does not apply to the root user, as in AWS).
 */
async function rootSignIn(deps: SignInDeps, accountId: string, input: PasswordSignInInput, keys: BackoffKey[], note: SignInNote, fail: () => Promise<never>): Promise<SignedIn> {
  // A root password exists only for an account of this server: no account, no row, the decoy.
  if (!await verifyRootPassword(deps.app.store.db, accountId, input.password)) return fail();
  deps.backoff.succeeded(keys);
  const { accessKeyId: _none, ...root } = rootPrincipal(accountId, '');
  note.principal = rootPrincipal(accountId, '');
  note.mfaUsed = false;
  return issue(deps, root);
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
