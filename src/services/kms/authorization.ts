/**
 * How KMS operations are authorized: on the key (its ARN, its key policy required, the kms
 * condition keys — key-access.ts), on an alias's ARN (IAM policies only: aliases have no
 * policy of their own), or on `*` for the operations that name no resource.
 */
import type { AuthorizationRequest, ConditionValue, RequestContext } from '../../auth/request-context.ts';
import { keyUseRequest, type KmsAction } from './key-access.ts';
import { aliasArn, type FoundKey } from './key-lookup.ts';
import type { EncryptionContext } from './key-crypto.ts';

export function onKey(ctx: RequestContext, found: FoundKey, action: KmsAction, opts: { encryptionContext?: EncryptionContext; extra?: Record<string, ConditionValue> } = {}): AuthorizationRequest {
  return keyUseRequest(found.key, action, {
    callerAccount: ctx.principal.accountId,
    requestAlias: found.requestAlias,
    encryptionContext: opts.encryptionContext,
    extra: opts.extra,
  });
}

export function onAccount(ctx: RequestContext, action: KmsAction, conditions: Record<string, ConditionValue> = {}): AuthorizationRequest {
  return { action, resource: '*', conditions: { 'kms:CallerAccount': ctx.principal.accountId, ...conditions } };
}

export function onAlias(ctx: RequestContext, aliasName: string, action: KmsAction): AuthorizationRequest {
  return { action, resource: aliasArn(ctx.region, ctx.principal.accountId, aliasName), conditions: { 'kms:CallerAccount': ctx.principal.accountId } };
}

/** `aws:RequestTag/…` and `aws:TagKeys` for requests that add or remove tags. */
export function requestTagConditions(tags: Record<string, string> | undefined, keys?: string[]): Record<string, ConditionValue> {
  const out: Record<string, ConditionValue> = {};
  for (const [k, v] of Object.entries(tags ?? {})) out[`aws:RequestTag/${k}`] = v;
  const tagKeys = keys ?? Object.keys(tags ?? {});
  if (tagKeys.length > 0) out['aws:TagKeys'] = tagKeys;
  return out;
}
