/**
 * Finding the function a request names, and how an operation on it is authorized:
 * `lambda:<Action>` on the function's ARN, with the function's resource policy. A function
 * that does not exist is authorized on the ARN the request names, so a caller without
 * permission learns nothing; its ResourceNotFoundException comes from `run`.
 */
import type { AuthorizationRequest, ConditionValue, RequestContext } from '../../auth/request-context.ts';
import { functionNotFound } from './errors.ts';
import { functionArn, parseFunctionName, refArn, type FunctionRef } from './function-names.ts';
import type { FunctionRow, FunctionStore } from './function-store.ts';

export interface Found {
  ref: FunctionRef;
  row: FunctionRow | undefined;
}

export async function findFunction(store: FunctionStore, ctx: RequestContext, name: string, qualifier?: string): Promise<Found> {
  const ref = parseFunctionName(name, { accountId: ctx.principal.accountId, region: ctx.region });
  if (qualifier !== undefined && ref.qualifier === undefined) ref.qualifier = qualifier;
  // Only $LATEST exists: coffer does not publish versions or aliases.
  const row = ref.qualifier === undefined || ref.qualifier === '$LATEST' ? await store.find(ref) : undefined;
  return { ref, row };
}

export function requireFunction(found: Found): FunctionRow {
  if (!found.row) throw functionNotFound(refArn(found.ref));
  return found.row;
}

/** `lambda:<Action>` on the function, with its resource policy and its tags as `aws:ResourceTag/…`. */
export function onFunction(found: Found, action: string, extra: Record<string, ConditionValue> = {}): AuthorizationRequest {
  const conditions: Record<string, ConditionValue> = {};
  if (found.row) for (const [k, v] of Object.entries(JSON.parse(found.row.tags) as Record<string, string>)) conditions[`aws:ResourceTag/${k}`] = v;
  Object.assign(conditions, extra);
  return {
    action,
    resource: found.row?.function_arn ?? functionArn(found.ref.region, found.ref.accountId, found.ref.name),
    resourcePolicy: found.row?.policy ?? null,
    conditions,
  };
}
