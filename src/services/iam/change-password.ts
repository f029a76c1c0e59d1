/**
 * ChangePassword: an IAM user changes their own console password.
 *
 * - Only IAM users (and their GetSessionToken sessions with MFA): the root user or a role
 *   session gets 400 `InvalidUserType`, as the AWS CLI's example documents for the root.
 * - Authorized as `iam:ChangePassword` on the caller's own user ARN; when the account policy
 *   has AllowUsersToChangePassword, no permission is needed (an explicit Deny still applies).
 * - The old password must verify against the stored argon2id hash; the new one must meet the
 *   account password policy and, with PasswordReusePrevention = N, differ from the current
 *   password and the N - 1 before it (the profile's history). Either failure is
 *   `PasswordPolicyViolation` with AWS's text.
 * - Changing the password clears PasswordResetRequired, as the console's forced change does,
 *   and starts a new MaxPasswordAge. An expired password can be changed here even under
 *   HardExpiry: AWS lets users with iam:ChangePassword and access keys do so through the API.
 * - The update is conditional on the hash that was verified, so two concurrent changes cannot
 *   both succeed from the same old password.
 * - Called with a console session that had to change its password first (`passwordChangeRequired`,
 *   src/auth/password-change-gate.ts), it lifts that session's mark in the same transaction:
 *   the page goes on with the session it has, without keeping the password to sign in again
 *   or asking for a second MFA code (a TOTP code is accepted once).
 */
import { hash, verify } from '@node-rs/argon2';
import { AwsError } from '../../errors.ts';
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { findUser, noSuchUser } from './identity-store.ts';
import { onUser } from './user-auth.ts';
import { authorizeSelfService, checkPassword, findPasswordPolicy, passwordPolicyViolation } from './account-password-policy.ts';
import { findLoginProfile, noSuchProfile, passwordHistory, pushHistory } from './login-profiles.ts';

const invalidUserType = () => new AwsError('InvalidUserType', 'Only IAM users can change their own password (ChangePassword); use UpdateLoginProfile for another user.', 400);
/** AWS documents no error for a wrong old password; coffer refuses it as an authentication failure. */
const wrongOldPassword = () => new AwsError('AccessDenied', 'The old password is incorrect.', 403);
const changedMeanwhile = (userName: string) => new AwsError('EntityTemporarilyUnmodifiable', `The password of user ${userName} was changed by another request; try again.`, 409);

interface ChangePasswordInput { OldPassword: string; NewPassword: string }

export function changePassword(deps: IamDeps) {
  return operation<ChangePasswordInput, Record<string, never>, undefined>({
    async plan(ctx) {
      if (ctx.principal.type !== 'IAMUser' || !ctx.principal.userName) throw invalidUserType();
      // Authorized in run: AllowUsersToChangePassword can stand in for the permission.
      return { authorization: [], state: undefined };
    },
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const userName = ctx.principal.userName!;
      const user = await findUser(deps.db, accountId, userName);
      if (!user) throw noSuchUser(userName);
      const policy = await findPasswordPolicy(deps.db, accountId);
      await authorizeSelfService(ctx, onUser('iam:ChangePassword', accountId, user.user_name, user), policy);
      const profile = await findLoginProfile(deps.db, accountId, user.user_key);
      if (!profile) throw noSuchProfile(user.user_name);
      if (!await verify(profile.password_hash, input.OldPassword).catch(() => false)) throw wrongOldPassword();
      checkPassword(policy, input.NewPassword);
      const reuse = policy?.password_reuse_prevention === null || policy === undefined ? 0 : Number(policy.password_reuse_prevention);
      for (const earlier of [profile.password_hash, ...passwordHistory(profile)].slice(0, reuse)) {
        if (await verify(earlier, input.NewPassword).catch(() => false)) throw passwordPolicyViolation();
      }
      const newHash = await hash(input.NewPassword);
      // A console session that had to change its password is free once it has: the mark goes
      // in the same transaction as the new password.
      const lift = ctx.principal.consoleSession === true && ctx.principal.passwordChangeRequired === true;
      await transaction(deps.db, async (trx) => {
        const updated = await trx.updateTable('iam_login_profiles')
          .set({ password_hash: newHash, password_history: pushHistory(profile, profile.password_hash), password_reset_required: 0, password_set_at: deps.now() })
          .where('account_id', '=', accountId).where('user_key', '=', user.user_key).where('password_hash', '=', profile.password_hash)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) throw changedMeanwhile(user.user_name);
        if (lift) await deps.credentials.sessions.liftPasswordChangeMark(ctx.principal.accessKeyId, trx);
      });
      // This node and the others re-read the session (as after a revocation).
      if (lift) deps.credentials.invalidate(ctx.principal.accessKeyId);
      deps.changed();
      return {};
    },
  });
}
