/**
 * The one authorization hook every operation goes through: `policyAuthorizer` decides each
 * request with the policy engine (src/iam) exactly as AWS does — identity policies, the
 * permissions boundary and session policies of the caller, the resource's policy, same- and
 * cross-account — and answers with AWS's AccessDenied text when it denies. See
 * docs/authorization.md.
 */
import { AwsError } from '../errors.ts';
import {
  accessDeniedMessage as engineDeniedMessage,
  evaluate,
  type EvaluationResult,
} from '../iam/index.ts';
import type { ContextValues } from '../iam/index.ts';
import type { AuthorizationRequest, RequestContext } from './request-context.ts';
import { isTemporary } from './principal.ts';
import { PrincipalPolicyCache, compileLenient } from './principal-policy-cache.ts';
import type { PolicySource } from './policy-source.ts';
import type { CacheSync } from '../cluster/cache-sync.ts';

export interface AuthorizationDecision {
  allowed: boolean;
  /** For a denial: AWS's message (principal, action, resource, and which policy type). */
  message?: string;
  /** The engine's result, for explanations and logs (absent for hooks that do not use it). */
  result?: EvaluationResult;
}

export type Authorizer = (ctx: RequestContext, request: AuthorizationRequest) => Promise<AuthorizationDecision> | AuthorizationDecision;

export const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });

export function resourceAccount(request: AuthorizationRequest): string | undefined {
  if (request.resourceAccountId) return request.resourceAccountId;
  const parts = request.resource.split(':');
  return parts.length >= 6 && parts[4] ? parts[4] : undefined;
}

/** The foundation's hook: each account's root user may do everything in its own account. */
export const rootOnly: Authorizer = (ctx, request) => {
  const owner = resourceAccount(request);
  // Account-less resources ("*", GetRandomPassword, ListSecrets) belong to the caller's account.
  if (ctx.principal.type === 'Root' && (owner === undefined || owner === ctx.principal.accountId)) return ALLOWED;
  return { allowed: false, message: accessDeniedMessage(ctx, request) };
};

/** The global condition keys of a request (KEYS), before the operation's own keys. */
let lastSecond = Number.NaN;
let lastIso = '';

/** `aws:CurrentTime` to the second, as AWS's request context shows it; formatted once a second. */
function isoSecond(second: number): string {
  if (second !== lastSecond) {
    lastIso = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastIso;
}

export function globalConditionKeys(ctx: RequestContext): Record<string, string | number | boolean | undefined> {
  const ms = ctx.requestTime.getTime();
  const second = Math.floor(ms / 1000);
  const keys: Record<string, string | number | boolean | undefined> = {
    'aws:SourceIp': ctx.sourceIp || undefined,
    'aws:SecureTransport': ctx.secureTransport,
    'aws:CurrentTime': isoSecond(second),
    'aws:EpochTime': second,
    'aws:RequestedRegion': ctx.region,
    'aws:ViaAWSService': false,
  };
  // Present only for temporary credentials: long-term keys carry no MFA information (KEYS).
  if (isTemporary(ctx.principal)) {
    const at = ctx.principal.mfaAuthenticatedAt;
    keys['aws:MultiFactorAuthPresent'] = at !== undefined;
    if (at !== undefined) keys['aws:MultiFactorAuthAge'] = Math.max(0, Math.floor((ms - at) / 1000));
    // Present in every request of a role session with a source identity (IAM User Guide).
    if (ctx.principal.sourceIdentity !== undefined) keys['aws:SourceIdentity'] = ctx.principal.sourceIdentity;
    // A function's execution-role session acts for the function's account (docs/lambda.md, "Runtime").
    if (ctx.principal.sourceAccount !== undefined) keys['aws:SourceAccount'] = ctx.principal.sourceAccount;
  }
  return keys;
}

/**
 * Decides with the policy engine. The caller's compiled policy set is cached per access key
 * and dropped by `invalidate()` (wired to every IAM write), so the hot path asks the policy
 * source nothing after the first request.
 */
export function policyAuthorizer(source: PolicySource, sync?: Pick<CacheSync, 'trusted'>): Authorizer & { invalidate(): void; cache: PrincipalPolicyCache } {
  const cache = new PrincipalPolicyCache(source, sync);
  const authorize = async (ctx: RequestContext, request: AuthorizationRequest): Promise<AuthorizationDecision> => {
    const set = await cache.get(ctx.principal);
    const values: Record<string, ContextValues[string]> = globalConditionKeys(ctx);
    if (request.conditions) Object.assign(values, request.conditions);
    const context = set.context.extend(values);
    const result = evaluate({
      principal: set.principal,
      action: request.action,
      resource: request.resource,
      resourceAccountId: request.resourceAccountId,
      context,
      identityPolicies: set.identityPolicies,
      permissionsBoundary: set.permissionsBoundary,
      sessionPolicies: set.sessionPolicies,
      resourcePolicy: request.resourcePolicy ? { id: 'resource', policy: compileLenient(request.resourcePolicy, 'resource') } : undefined,
      resourcePolicyRequired: request.resourcePolicyRequired,
    });
    if (result.decision === 'Allow') return { allowed: true, result };
    return { allowed: false, result, message: engineDeniedMessage(ctx.principal.arn, request.action, request.resource, result) };
  };
  return Object.assign(authorize, { invalidate: () => cache.clear(), cache });
}

/** AWS's text for a denial; without a decision, the "no identity-based policy allows" form. */
export function accessDeniedMessage(ctx: RequestContext, request: AuthorizationRequest, decision?: AuthorizationDecision): string {
  return decision?.message ?? `User: ${ctx.principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} because no identity-based policy allows the ${request.action} action`;
}

export function accessDeniedError(ctx: RequestContext, request: AuthorizationRequest, decision?: AuthorizationDecision): AwsError {
  return new AwsError('AccessDeniedException', accessDeniedMessage(ctx, request, decision));
}
