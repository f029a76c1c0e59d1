/**
 * Policy documents on IAM's write paths: validated by the engine (a bad one is
 * `MalformedPolicyDocument` pointing at the element) and held to IAM's size quotas, counted
 * as AWS counts them, without whitespace.
 */
import { parsePolicy } from '../../iam/index.ts';
import type { PolicyKind } from '../../iam/index.ts';
import { limitExceeded } from './entities.ts';

/** The quotas AWS names in its LimitExceeded messages. */
export const POLICY_SIZE = {
  managed: { quota: 'PolicySize', max: 6144 },
  roleInline: { quota: 'RolePolicySize', max: 10240 },
  trust: { quota: 'ACLSizePerRole', max: 2048 },
} as const;

export function checkPolicyDocument(text: string, kind: PolicyKind, size: { quota: string; max: number }): void {
  parsePolicy(text, { kind });
  const counted = text.replace(/\s/g, '').length;
  if (counted > size.max) throw limitExceeded(`Cannot exceed quota for ${size.quota}: ${size.max}`);
}
