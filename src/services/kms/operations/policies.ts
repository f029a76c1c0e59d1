/**
 * Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies. A key has one policy, named
 * "default". PutKeyPolicy validates the document and, unless told to bypass it, refuses a
 * policy that would stop the caller from ever changing the policy again.
 */
import { AwsError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { KmsDeps } from '../deps.ts';
import { findKey, type FoundKey } from '../key-lookup.ts';
import { onKey } from '../authorization.ts';
import { checkKeyPolicy } from '../key-policy.ts';
import { checkLockout } from './keys.ts';

const POLICY_NAME = 'default';

interface GetKeyPolicyInput {
  KeyId: string;
  PolicyName?: string;
}

export const getKeyPolicy = (deps: KmsDeps) => operation({
  async plan(ctx, input: GetKeyPolicyInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:GetKeyPolicy'), state: found };
  },
  async run(_ctx, input: GetKeyPolicyInput, { key }: FoundKey) {
    if ((input.PolicyName ?? POLICY_NAME) !== POLICY_NAME) throw new AwsError('NotFoundException', 'No such policy exists');
    return { Policy: key.policy, PolicyName: POLICY_NAME };
  },
});

interface PutKeyPolicyInput {
  KeyId: string;
  PolicyName?: string;
  Policy: string;
  BypassPolicyLockoutSafetyCheck?: boolean;
}

export const putKeyPolicy = (deps: KmsDeps) => operation({
  async plan(ctx, input: PutKeyPolicyInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    const extra = { 'kms:BypassPolicyLockoutSafetyCheck': input.BypassPolicyLockoutSafetyCheck === true };
    return { authorization: onKey(ctx, found, 'kms:PutKeyPolicy', { extra }), state: found };
  },
  async run(ctx, input: PutKeyPolicyInput, { key }: FoundKey) {
    if ((input.PolicyName ?? POLICY_NAME) !== POLICY_NAME) throw new AwsError('UnsupportedOperationException', 'Only default policy is supported');
    await checkKeyPolicy(input.Policy, deps.principalExists);
    if (input.BypassPolicyLockoutSafetyCheck !== true) await checkLockout(ctx, key.arn, key.accountId, input.Policy);
    await deps.writer.update(key.keyId, () => ({ policy: input.Policy }));
    return {};
  },
});

interface ListKeyPoliciesInput {
  KeyId: string;
  Limit?: number;
  Marker?: string;
}

export const listKeyPolicies = (deps: KmsDeps) => operation({
  async plan(ctx, input: ListKeyPoliciesInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:ListKeyPolicies'), state: found };
  },
  async run() {
    return { PolicyNames: [POLICY_NAME], Truncated: false };
  },
});
