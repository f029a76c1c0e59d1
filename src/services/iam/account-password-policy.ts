/**
 * The account password policy: UpdateAccountPasswordPolicy, GetAccountPasswordPolicy,
 * DeleteAccountPasswordPolicy, and the check every password set through IAM passes
 * (CreateLoginProfile, UpdateLoginProfile, ChangePassword).
 *
 * - UpdateAccountPasswordPolicy writes the whole policy: a parameter left out takes AWS's
 *   default (length 6, no character classes required, users may not change their password,
 *   no expiry, no reuse prevention, no hard expiry), as the API reference says.
 * - Without a policy, GetAccountPasswordPolicy and DeleteAccountPasswordPolicy are
 *   NoSuchEntity (404) with AWS's texts, and passwords must meet AWS's default password policy:
 *   8 to 128 characters with at least three of uppercase, lowercase, digits and symbols.
 * - A password breaking the policy is 400 `PasswordPolicyViolation` "Password does not conform
 *   to the account password policy." — AWS's text, which names no rule.
 * - `AllowUsersToChangePassword` lets every IAM user change their own password and read the
 *   policy without a permission of their own (IAM User Guide, "Setting an account password
 *   policy"); an explicit Deny still applies.
 *
 * The three operations are authorized as `iam:<Operation>` on `*`: the Service Authorization
 * Reference gives them no resource type.
 */
import type { Selectable } from 'kysely';
import { AwsError } from '../../errors.ts';
import { operation } from '../../protocol/operation.ts';
import type { AuthorizationRequest, RequestContext } from '../../auth/request-context.ts';
import { accessDeniedError } from '../../auth/authorize.ts';
import type { IamPasswordPolicyTable } from '../../storage/schema.ts';
import type { IamDeps } from './deps.ts';
import { noSuchEntity } from './entities.ts';
import type { Db } from './identity-store.ts';

export type PasswordPolicyRow = Selectable<IamPasswordPolicyTable>;

/** The non-alphanumeric characters AWS's policies count as symbols. */
const SYMBOLS = "!@#$%^&*()_+-=[]{}|'";

export const passwordPolicyViolation = () => new AwsError('PasswordPolicyViolation', 'Password does not conform to the account password policy.', 400);
const noPolicy = (accountId: string) => noSuchEntity(`The Password Policy with domain name ${accountId} cannot be found.`);
const noPolicyToDelete = () => noSuchEntity('The account policy with name PasswordPolicy cannot be found.');

export async function findPasswordPolicy(db: Db, accountId: string): Promise<PasswordPolicyRow | undefined> {
  return db.selectFrom('iam_password_policies').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

const hasSymbol = (password: string) => [...password].some((ch) => SYMBOLS.includes(ch));

/**
 * Throws PasswordPolicyViolation unless `password` meets the account's policy, or AWS's
 * default policy when the account has none.
 */
export function checkPassword(policy: PasswordPolicyRow | undefined, password: string | undefined): asserts password is string {
  if (password === undefined) throw passwordPolicyViolation();
  if (!policy) {
    if (password.length < 8 || password.length > 128) throw passwordPolicyViolation();
    const kinds = [/[A-Z]/, /[a-z]/, /[0-9]/].filter((re) => re.test(password)).length + (hasSymbol(password) ? 1 : 0);
    if (kinds < 3) throw passwordPolicyViolation();
    return;
  }
  if (password.length < Number(policy.minimum_password_length)) throw passwordPolicyViolation();
  if (Number(policy.require_uppercase) && !/[A-Z]/.test(password)) throw passwordPolicyViolation();
  if (Number(policy.require_lowercase) && !/[a-z]/.test(password)) throw passwordPolicyViolation();
  if (Number(policy.require_numbers) && !/[0-9]/.test(password)) throw passwordPolicyViolation();
  if (Number(policy.require_symbols) && !hasSymbol(password)) throw passwordPolicyViolation();
}

/**
 * Authorization of what `AllowUsersToChangePassword` opens to every IAM user (their own
 * ChangePassword, reading the policy): the hook decides; an implicit denial is overridden when
 * the policy allows it and the caller is an IAM user acting on itself.
 */
export async function authorizeSelfService(ctx: RequestContext, request: AuthorizationRequest, policy: PasswordPolicyRow | undefined): Promise<void> {
  const decision = await ctx.decide(request);
  if (decision.allowed) return;
  const opened = policy !== undefined && Number(policy.allow_users_to_change_password) === 1 && ctx.principal.type === 'IAMUser';
  if (opened && decision.result?.decision !== 'ExplicitDeny') return;
  throw accessDeniedError(ctx, request, decision);
}

interface UpdateInput {
  MinimumPasswordLength?: number;
  RequireSymbols?: boolean;
  RequireNumbers?: boolean;
  RequireUppercaseCharacters?: boolean;
  RequireLowercaseCharacters?: boolean;
  AllowUsersToChangePassword?: boolean;
  MaxPasswordAge?: number;
  PasswordReusePrevention?: number;
  HardExpiry?: boolean;
}

const bit = (b: boolean | undefined) => (b ? 1 : 0);

export function updateAccountPasswordPolicy(deps: IamDeps) {
  return operation<UpdateInput, Record<string, never>, undefined>({
    async plan() {
      return { authorization: { action: 'iam:UpdateAccountPasswordPolicy', resource: '*' }, state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const row = {
        account_id: accountId,
        // Every parameter left out takes its default: the call replaces the whole policy.
        minimum_password_length: input.MinimumPasswordLength ?? 6,
        require_symbols: bit(input.RequireSymbols),
        require_numbers: bit(input.RequireNumbers),
        require_uppercase: bit(input.RequireUppercaseCharacters),
        require_lowercase: bit(input.RequireLowercaseCharacters),
        allow_users_to_change_password: bit(input.AllowUsersToChangePassword),
        max_password_age: input.MaxPasswordAge ?? null,
        password_reuse_prevention: input.PasswordReusePrevention ?? null,
        hard_expiry: bit(input.HardExpiry),
        updated_at: deps.now(),
      };
      const { account_id: _key, ...change } = row;
      await deps.db.insertInto('iam_password_policies').values(row)
        .onConflict((oc) => oc.column('account_id').doUpdateSet(change)).execute();
      deps.changed();
      return {};
    },
  });
}

/** GetAccountPasswordPolicy's `PasswordPolicy`: MaxPasswordAge and PasswordReusePrevention only when set. */
function policyOutput(row: PasswordPolicyRow): Record<string, unknown> {
  const maxAge = row.max_password_age === null ? undefined : Number(row.max_password_age);
  const reuse = row.password_reuse_prevention === null ? undefined : Number(row.password_reuse_prevention);
  return {
    MinimumPasswordLength: Number(row.minimum_password_length),
    RequireSymbols: Number(row.require_symbols) === 1,
    RequireNumbers: Number(row.require_numbers) === 1,
    RequireUppercaseCharacters: Number(row.require_uppercase) === 1,
    RequireLowercaseCharacters: Number(row.require_lowercase) === 1,
    AllowUsersToChangePassword: Number(row.allow_users_to_change_password) === 1,
    ExpirePasswords: maxAge !== undefined,
    ...(maxAge !== undefined ? { MaxPasswordAge: maxAge } : {}),
    ...(reuse !== undefined ? { PasswordReusePrevention: reuse } : {}),
    HardExpiry: Number(row.hard_expiry) === 1,
  };
}

export function getAccountPasswordPolicy(deps: IamDeps) {
  return operation<Record<string, never>, { PasswordPolicy: Record<string, unknown> }, undefined>({
    async plan() {
      // Authorized in run: AllowUsersToChangePassword lets any IAM user read the policy.
      return { authorization: [], state: undefined };
    },
    async run(ctx) {
      const accountId = ctx.principal.accountId;
      const row = await findPasswordPolicy(deps.db, accountId);
      await authorizeSelfService(ctx, { action: 'iam:GetAccountPasswordPolicy', resource: '*' }, row);
      if (!row) throw noPolicy(accountId);
      return { PasswordPolicy: policyOutput(row) };
    },
  });
}

export function deleteAccountPasswordPolicy(deps: IamDeps) {
  return operation<Record<string, never>, Record<string, never>, undefined>({
    async plan() {
      return { authorization: { action: 'iam:DeleteAccountPasswordPolicy', resource: '*' }, state: undefined };
    },
    async run(ctx) {
      const deleted = await deps.db.deleteFrom('iam_password_policies').where('account_id', '=', ctx.principal.accountId).executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw noPolicyToDelete();
      deps.changed();
      return {};
    },
  });
}

export function accountPasswordPolicyOperations(deps: IamDeps) {
  return {
    UpdateAccountPasswordPolicy: updateAccountPasswordPolicy(deps),
    GetAccountPasswordPolicy: getAccountPasswordPolicy(deps),
    DeleteAccountPasswordPolicy: deleteAccountPasswordPolicy(deps),
  };
}
