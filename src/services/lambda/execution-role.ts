/**
 * A function's execution role, checked when a function is created or given a new role, as
 * Lambda checks it: the caller must be allowed `iam:PassRole` on the role (to
 * `lambda.amazonaws.com`), and the role's trust policy must let `lambda.amazonaws.com` assume
 * it — evaluated here by the same engine STS uses, the service as principal and the function's
 * account and ARN as `aws:SourceAccount` / `aws:SourceArn`, which is how the runtime will
 * assume it. A role that does not exist gets the same answer as one that cannot be assumed.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import { accessDeniedError } from '../../auth/authorize.ts';
import { ConditionContext, evaluateTrust, parsePolicy, compilePolicyCached, type CompiledPolicy, type RequestPrincipal } from '../../iam/index.ts';
import { findRole } from '../iam/role-store.ts';
import { roleCannotBeAssumed } from './errors.ts';

const LAMBDA = 'lambda.amazonaws.com';
const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export async function checkExecutionRole(db: Kysely<Database>, ctx: RequestContext, roleArn: string, fn: { accountId: string; arn: string }, now: number): Promise<void> {
  const passRole = { action: 'iam:PassRole', resource: roleArn, conditions: { 'iam:PassedToService': LAMBDA, 'iam:AssociatedResourceArn': fn.arn } };
  const decision = await ctx.decide(passRole);
  if (!decision.allowed) throw accessDeniedError(ctx, passRole, decision);

  const m = ROLE_ARN.exec(roleArn);
  const role = m ? await findRole(db, m[1]!, m[2]!) : undefined;
  if (!role || role.arn !== roleArn) throw roleCannotBeAssumed();
  const principal: RequestPrincipal = { type: 'Service', arn: LAMBDA, accountId: '' };
  const context = ConditionContext.create(principal, {
    'aws:CurrentTime': new Date(now).toISOString(), 'aws:EpochTime': Math.floor(now / 1000),
    'aws:SourceAccount': fn.accountId, 'aws:SourceArn': fn.arn,
  });
  const result = evaluateTrust({ principal, roleArn: role.arn, context, trustPolicy: { id: 'trust', policy: compileTrust(role.trust_policy) } });
  if (result.decision !== 'Allow') throw roleCannotBeAssumed();
}

function compileTrust(text: string): CompiledPolicy {
  try {
    return compilePolicyCached(text, 'trust');
  } catch {
    // Stored documents were validated on write; whatever is there is evaluated leniently.
    return parsePolicy(text, { kind: 'trust', strict: false });
  }
}
