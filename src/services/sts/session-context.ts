/**
 * What STS operations share: the caller as the policy engine sees it, MFA checks and STS's
 * AccessDenied wording.
 */
import { AwsError } from '../../errors.ts';
import type { Principal } from '../../auth/principal.ts';
import type { RequestPrincipal } from '../../iam/index.ts';
import { requestPrincipal as enginePrincipal } from '../../auth/principal-policy-cache.ts';
import type { StsDeps } from './deps.ts';
import { acceptCode, findEnabledDevice } from '../iam/mfa-store.ts';

/** STS's own AccessDenied (query protocol code, 403). */
export const stsAccessDenied = (message: string) => new AwsError('AccessDenied', message, 403);

/** The caller's own tags (an IAM user's, or its role's for a session), for `aws:PrincipalTag/…`. */
async function ownTags(deps: StsDeps, p: Principal): Promise<Record<string, string> | undefined> {
  let row: { tags: string } | undefined;
  if (p.type === 'IAMUser') {
    row = await deps.db.selectFrom('iam_users').select('tags').where('account_id', '=', p.accountId).where('user_id', '=', p.userId).executeTakeFirst();
  } else if (p.type === 'AssumedRole' && p.roleArn) {
    row = await deps.db.selectFrom('iam_roles').select('tags').where('arn', '=', p.roleArn).executeTakeFirst();
  }
  const tags = row ? (JSON.parse(row.tags) as { Key: string; Value: string }[]) : [];
  return tags.length ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : undefined;
}

/** The caller as the policy engine sees it, as the authorizer builds it (session tags over own tags). */
export async function requestPrincipal(deps: StsDeps, p: Principal): Promise<RequestPrincipal> {
  return enginePrincipal(p, await ownTags(deps, p));
}

export const MFA_UNKNOWN_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';
export const MFA_BAD_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';

/**
 * SerialNumber/TokenCode, the one MFA check of GetSessionToken and AssumeRole: the device must
 * be a virtual MFA device enabled for the calling IAM user (the root user's and role sessions'
 * devices are none coffer knows), and the code valid now, one 30-second step either side, and
 * not used before (by any operation, on any node): a replayed code is refused like a wrong one.
 * Returns when the code was checked, for the session's `aws:MultiFactorAuthAge`.
 */
export async function verifyMfa(deps: StsDeps, caller: Principal, serialNumber: string | undefined, tokenCode: string | undefined): Promise<number | undefined> {
  if (serialNumber === undefined && tokenCode === undefined) return undefined;
  const device = serialNumber !== undefined && caller.type === 'IAMUser' && caller.userName && deps.sealer
    ? await findEnabledDevice(deps.db, caller.accountId, caller.userName, serialNumber)
    : undefined;
  if (!device) throw stsAccessDenied(MFA_UNKNOWN_DEVICE);
  const now = deps.now();
  if (tokenCode === undefined || !await acceptCode(deps.db, deps.sealer!, device, tokenCode, now)) throw stsAccessDenied(MFA_BAD_CODE);
  return now;
}
