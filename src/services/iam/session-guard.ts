/**
 * Temporary credentials from GetSessionToken may call IAM only if MFA was used to get them.
 * AWS: "You cannot call any IAM API operations unless MFA authentication information is
 * included in the request" (STS API reference, GetSessionToken). AWS answers such a call with
 * the invalid-token error, 403 `InvalidClientTokenId` "The security token included in the
 * request is invalid" — as users of aws-vault and the SDKs report it (99designs/aws-vault#15,
 * #1056; aws/aws-sdk-js#460; the raw message, without a final period, in cloudyr/aws.iam#15).
 *
 * Role sessions (AssumeRole) are not limited this way. The rule is applied once, to every IAM
 * operation, by wrapping the service's operations (service.ts).
 *
 * The other limit on console sessions, for one that must change its password first, applies to
 * every service and lives with the dispatcher's checks: src/auth/password-change-gate.ts.
 */
import { AwsError } from '../../errors.ts';
import { isTemporary, type Principal } from '../../auth/principal.ts';
import type { Operation } from '../../protocol/operation.ts';

/** A GetSessionToken session: temporary credentials that keep the IAM user's or root's own identity. */
export function isUserSession(p: Principal): boolean {
  return isTemporary(p) && (p.type === 'IAMUser' || p.type === 'Root');
}

export function sessionWithoutMfaDenied(): AwsError {
  return new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid', 403);
}

/** Throws AWS's error when `p` is a GetSessionToken session obtained without MFA. */
export function checkIamCallable(p: Principal): void {
  // Console sessions are not GetSessionToken's: AWS's console calls IAM for users without MFA.
  if (isUserSession(p) && !p.consoleSession && p.mfaAuthenticatedAt === undefined) throw sessionWithoutMfaDenied();
}

/** Every operation, checked before it plans (and so before it is authorized or touches anything). */
export function refuseSessionsWithoutMfa(ops: Record<string, Operation<any, any, any>>): Record<string, Operation<any, any, any>> {
  const guarded: Record<string, Operation<any, any, any>> = {};
  for (const [name, op] of Object.entries(ops)) {
    guarded[name] = {
      async plan(ctx, input) {
        checkIamCallable(ctx.principal);
        return op.plan(ctx, input);
      },
      run: (ctx, input, state) => op.run(ctx, input, state),
    };
  }
  return guarded;
}
