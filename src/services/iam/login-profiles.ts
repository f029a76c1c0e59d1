/**
 * CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile: a user's
 * console password. Only an argon2id hash of it is stored (`@node-rs/argon2`'s default
 * algorithm, PHC string with its salt and parameters); the password is never stored, logged
 * or returned. Passwords must meet the account password policy (account-password-policy.ts);
 * each replaced hash goes to the profile's history, which ChangePassword's reuse prevention
 * reads. `verifyLoginPassword` is what a console sign-in checks against.
 */
import { hash, verify } from '@node-rs/argon2';
import { AwsError } from '../../errors.ts';
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { entityAlreadyExists, noSuchEntity } from './entities.ts';
import { findUser, noSuchUser, requireUser, type Db, type UserRow } from './identity-store.ts';
import { onUser } from './user-auth.ts';
import { checkPassword, findPasswordPolicy } from './account-password-policy.ts';

export const noSuchProfile = (userName: string) => noSuchEntity(`Login Profile for User ${userName} cannot be found.`);
const profileExists = (userName: string) => entityAlreadyExists(`Login Profile for user ${userName} already exists.`);

export const hashPassword = (password: string): Promise<string> => hash(password);

/** AWS's largest PasswordReusePrevention: no more earlier hashes than this are kept. */
export const MAX_PASSWORD_HISTORY = 24;

/** The profile's earlier hashes, newest first. */
export function passwordHistory(row: { password_history: string | null }): string[] {
  return row.password_history ? (JSON.parse(row.password_history) as string[]) : [];
}

/** The history after `replaced` gives way to a new password. */
export function pushHistory(row: { password_history: string | null }, replaced: string): string {
  return JSON.stringify([replaced, ...passwordHistory(row)].slice(0, MAX_PASSWORD_HISTORY));
}

export async function findLoginProfile(db: Db, accountId: string, userKey: string) {
  return db.selectFrom('iam_login_profiles').selectAll()
    .where('account_id', '=', accountId).where('user_key', '=', userKey).executeTakeFirst();
}

/** A hash to verify against when the user or profile is missing, so timing does not tell. */
let decoy: Promise<string> | undefined;

/** Spends what a real verification costs, then says no: for a missing user, profile or root password. */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hash('coffer-decoy-password');
  await verify(await decoy, password).catch(() => false);
  return false;
}

/** Whether `password` is the console password of the account's user `userName`. */
export async function verifyLoginPassword(db: Db, accountId: string, userName: string, password: string): Promise<boolean> {
  const user = await findUser(db, accountId, userName);
  const profile = user ? await findLoginProfile(db, accountId, user.user_key) : undefined;
  if (!profile) return verifyAgainstDecoy(password);
  return verify(profile.password_hash, password).catch(() => false);
}

interface ProfileOutput { UserName: string; CreateDate: Date; PasswordResetRequired: boolean }

const profileOutput = (user: UserRow, row: { created_at: number; password_reset_required: number }): ProfileOutput => ({
  UserName: user.user_name, CreateDate: new Date(Number(row.created_at)), PasswordResetRequired: Boolean(Number(row.password_reset_required)),
});

function planOnUser(deps: IamDeps, action: string) {
  return async (ctx: { principal: { accountId: string } }, input: { UserName: string }) => {
    const row = await findUser(deps.db, ctx.principal.accountId, input.UserName);
    return { authorization: onUser(action, ctx.principal.accountId, input.UserName, row), state: row };
  };
}

interface CreateInput { UserName: string; Password?: string; PasswordResetRequired?: boolean }

export function createLoginProfile(deps: IamDeps) {
  return operation<CreateInput, { LoginProfile: ProfileOutput }, UserRow | undefined>({
    plan: planOnUser(deps, 'iam:CreateLoginProfile'),
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const accountId = ctx.principal.accountId;
      checkPassword(await findPasswordPolicy(deps.db, accountId), input.Password);
      const passwordHash = await hashPassword(input.Password);
      const now = deps.now();
      const result = await transaction(deps.db, async (trx) => {
        const user = await requireUser(trx, accountId, input.UserName);
        if (await findLoginProfile(trx, accountId, user.user_key)) throw profileExists(user.user_name);
        const row = {
          account_id: accountId, user_key: user.user_key, password_hash: passwordHash,
          password_reset_required: input.PasswordResetRequired ? 1 : 0, created_at: now, password_history: null, password_set_at: now,
        };
        await trx.insertInto('iam_login_profiles').values(row).execute();
        return profileOutput(user, row);
      }).catch(async (err: unknown) => {
        // A concurrent CreateLoginProfile for the same user won the primary key.
        if (err instanceof AwsError) throw err;
        const user = await findUser(deps.db, accountId, input.UserName);
        if (user && await findLoginProfile(deps.db, accountId, user.user_key)) throw profileExists(user.user_name);
        throw err;
      });
      deps.changed();
      return { LoginProfile: result };
    },
  });
}

export function getLoginProfile(deps: IamDeps) {
  return operation<{ UserName: string }, { LoginProfile: ProfileOutput }, UserRow | undefined>({
    plan: planOnUser(deps, 'iam:GetLoginProfile'),
    async run(ctx, input, user) {
      if (!user) throw noSuchUser(input.UserName);
      const row = await findLoginProfile(deps.db, ctx.principal.accountId, user.user_key);
      if (!row) throw noSuchProfile(user.user_name);
      return { LoginProfile: profileOutput(user, row) };
    },
  });
}

interface UpdateInput { UserName: string; Password?: string; PasswordResetRequired?: boolean }

export function updateLoginProfile(deps: IamDeps) {
  return operation<UpdateInput, Record<string, never>, UserRow | undefined>({
    plan: planOnUser(deps, 'iam:UpdateLoginProfile'),
    async run(ctx, input, planned) {
      if (!planned) throw noSuchUser(input.UserName);
      const accountId = ctx.principal.accountId;
      let passwordHash: string | undefined;
      if (input.Password !== undefined) {
        checkPassword(await findPasswordPolicy(deps.db, accountId), input.Password);
        passwordHash = await hashPassword(input.Password);
      }
      await transaction(deps.db, async (trx) => {
        const user = await requireUser(trx, accountId, input.UserName);
        const profile = await findLoginProfile(trx, accountId, user.user_key);
        if (!profile) throw noSuchProfile(user.user_name);
        const change: { password_hash?: string; password_reset_required?: number; password_history?: string; password_set_at?: number } = {};
        if (passwordHash !== undefined) {
          change.password_hash = passwordHash;
          change.password_history = pushHistory(profile, profile.password_hash);
          // A new password starts a new MaxPasswordAge (an administrator's reset ends a hard expiry).
          change.password_set_at = deps.now();
        }
        if (input.PasswordResetRequired !== undefined) change.password_reset_required = input.PasswordResetRequired ? 1 : 0;
        if (Object.keys(change).length === 0) return;
        await trx.updateTable('iam_login_profiles').set(change)
          .where('account_id', '=', accountId).where('user_key', '=', user.user_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}

export function deleteLoginProfile(deps: IamDeps) {
  return operation<{ UserName: string }, Record<string, never>, UserRow | undefined>({
    plan: planOnUser(deps, 'iam:DeleteLoginProfile'),
    async run(ctx, input, user) {
      if (!user) throw noSuchUser(input.UserName);
      const deleted = await deps.db.deleteFrom('iam_login_profiles')
        .where('account_id', '=', ctx.principal.accountId).where('user_key', '=', user.user_key).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw noSuchProfile(user.user_name);
      deps.changed();
      return {};
    },
  });
}

export function loginProfileOperations(deps: IamDeps) {
  return {
    CreateLoginProfile: createLoginProfile(deps),
    GetLoginProfile: getLoginProfile(deps),
    UpdateLoginProfile: updateLoginProfile(deps),
    DeleteLoginProfile: deleteLoginProfile(deps),
  };
}
