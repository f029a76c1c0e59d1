/**
 * What STS operations share: the caller as the policy engine sees it, the global condition
 * keys a trust policy can test, MFA checks and STS's AccessDenied wording.
 */
import { AwsError } from '../../errors.ts';
import type { Principal } from '../../auth/principal.ts';
import { isTemporary } from '../../auth/principal.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import type { ContextValues, RequestPrincipal } from '../../iam/index.ts';
import type { StsDeps } from './deps.ts';

/** STS's own AccessDenied (query protocol code, 403). */
export const stsAccessDenied = (message: string) => new AwsError('AccessDenied', message, 403);

/**
 * The caller's own tags (an IAM user's, or a role's under its session tags), for
 * `aws:PrincipalTag/…` in trust policies. Session tags win over the entity's tags.
 */
async function principalTags(deps: StsDeps, p: Principal): Promise<Record<string, string> | undefined> {
  let rows: { tags: string } | undefined;
  if (p.type === 'IAMUser') {
    rows = await deps.db.selectFrom('iam_users').select('tags').where('account_id', '=', p.accountId).where('user_id', '=', p.userId).executeTakeFirst();
  } else if (p.type === 'AssumedRole' && p.roleArn) {
    rows = await deps.db.selectFrom('iam_roles').select('tags').where('arn', '=', p.roleArn).executeTakeFirst();
  }
  const out: Record<string, string> = {};
  for (const t of rows ? (JSON.parse(rows.tags) as { Key: string; Value: string }[]) : []) out[t.Key] = t.Value;
  Object.assign(out, p.sessionTags);
  return Object.keys(out).length ? out : undefined;
}

export async function requestPrincipal(deps: StsDeps, p: Principal): Promise<RequestPrincipal> {
  return {
    type: p.type, arn: p.arn, accountId: p.accountId, roleArn: p.roleArn, userId: p.userId,
    username: p.type === 'IAMUser' ? p.userName : undefined,
    tags: await principalTags(deps, p),
  };
}

/**
 * Global keys of the request (`aws:CurrentTime`, `aws:SourceIp`, MFA, …). MFA keys exist only
 * for temporary credentials, as in AWS: a long-term key has no `aws:MultiFactorAuthPresent`.
 */
export function globalConditions(ctx: RequestContext, now: number): ContextValues {
  const p = ctx.principal;
  const values: Record<string, string | boolean | number | undefined> = {
    'aws:CurrentTime': new Date(now).toISOString(),
    'aws:EpochTime': Math.floor(now / 1000),
    'aws:SourceIp': ctx.sourceIp,
    'aws:SecureTransport': ctx.secureTransport,
    'aws:RequestedRegion': ctx.region,
  };
  if (isTemporary(p)) {
    values['aws:MultiFactorAuthPresent'] = p.mfaAuthenticatedAt !== undefined;
    if (p.mfaAuthenticatedAt !== undefined) values['aws:MultiFactorAuthAge'] = Math.floor((now - p.mfaAuthenticatedAt) / 1000);
    if (p.issuedAt !== undefined) values['aws:TokenIssueTime'] = new Date(p.issuedAt).toISOString();
  }
  return values;
}

export const MFA_UNKNOWN_DEVICE = 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.';
export const MFA_BAD_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code. ';

/**
 * SerialNumber/TokenCode. coffer has no MFA device store yet (virtual MFA devices are a later
 * step of the IAM issue), so every serial number is one AWS would not find for this caller,
 * and the answer is AWS's for that case. Returns when the code was checked.
 */
export function verifyMfa(serialNumber: string | undefined, tokenCode: string | undefined): number | undefined {
  if (serialNumber === undefined && tokenCode === undefined) return undefined;
  throw stsAccessDenied(MFA_UNKNOWN_DEVICE);
}
