/**
 * The one authorization hook every operation goes through. Until IAM lands, only each
 * account's root principal exists, and it may do everything in its own account; the IAM
 * issue replaces `rootOnly` with the policy engine without touching operations.
 */
import { AwsError } from '../errors.ts';
import type { AuthorizationRequest, RequestContext } from './request-context.ts';

export type Authorizer = (ctx: RequestContext, request: AuthorizationRequest) => Promise<boolean> | boolean;

export function resourceAccount(request: AuthorizationRequest): string | undefined {
  if (request.resourceAccountId) return request.resourceAccountId;
  const parts = request.resource.split(':');
  return parts.length >= 6 && parts[4] ? parts[4] : undefined;
}

export const rootOnly: Authorizer = (ctx, request) => {
  if (ctx.principal.type !== 'Root') return false;
  const owner = resourceAccount(request);
  // Account-less resources ("*", GetRandomPassword, ListSecrets) belong to the caller's account.
  return owner === undefined || owner === ctx.principal.accountId;
};

export function accessDeniedMessage(ctx: RequestContext, request: AuthorizationRequest): string {
  return `User: ${ctx.principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource} because no identity-based policy allows the ${request.action} action`;
}

export function accessDeniedError(ctx: RequestContext, request: AuthorizationRequest): AwsError {
  return new AwsError('AccessDeniedException', accessDeniedMessage(ctx, request));
}
