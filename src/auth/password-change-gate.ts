/**
 * The gate on console sessions that must change their password first: a password sign-in
 * with PasswordResetRequired or an expired password (src/console/sign-in.ts) gives a session
 * marked `passwordChangeRequired`, and the dispatcher (src/protocol/operation.ts) refuses such
 * a session every call but the few that changing the password needs, before the operation
 * plans. A successful ChangePassword with the session lifts the mark
 * (src/services/iam/change-password.ts).
 */
import { AwsError } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * What a console session that must change its password may call: changing it, reading the
 * rules it must meet, and asking who it is. AWS's sign-in page issues no session before the
 * change, so AWS has no answer for such a call; coffer's is AccessDenied (AccessDeniedException
 * on the JSON services) saying what to do.
 */
export const PASSWORD_CHANGE_CALLS: ReadonlySet<string> = new Set(['iam:ChangePassword', 'iam:GetAccountPasswordPolicy', 'sts:GetCallerIdentity']);

export function passwordChangeFirst(p: Principal, call: string): AwsError {
  // Status and code as the dispatcher's own denials (the query protocol answers 403 AccessDenied).
  return new AwsError('AccessDeniedException', `User: ${p.arn} is not authorized to perform: ${call} because the password must be changed first: `
    + 'this console session was signed in with a password that must be reset or has expired, and until iam:ChangePassword succeeds it may call only '
    + 'iam:ChangePassword, iam:GetAccountPasswordPolicy and sts:GetCallerIdentity');
}

/**
 * Throws unless `p` may make the call `service`:`operation` (signing name and operation name,
 * as the request context has them). Checked for every operation of every service before it
 * plans, so nothing is looked up or revealed for a session that must change its password.
 */
export function checkPasswordChangeGate(p: Principal, service: string, operation: string): void {
  if (p.passwordChangeRequired !== true) return;
  const call = `${service}:${operation}`;
  if (!PASSWORD_CHANGE_CALLS.has(call)) throw passwordChangeFirst(p, call);
}
