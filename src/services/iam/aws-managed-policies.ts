/**
 * AWS managed policies, shipped as data (data/aws-managed-policies.json) under their real ARNs
 * `arn:aws:iam::aws:policy/…` with their real default-version documents. Every account sees
 * the same ones; they can be attached but never modified (AWS answers such writes with
 * AccessDenied / InvalidInput, see managed-policies.ts).
 */
import data from './data/aws-managed-policies.json' with { type: 'json' };

export interface AwsManagedPolicy {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description: string;
  defaultVersionId: string;
  createDate: Date;
  updateDate: Date;
  /** The default version's document as JSON text (stringified once, here). */
  document: string;
}

export const AWS_MANAGED_ARN_PREFIX = 'arn:aws:iam::aws:policy/';

const POLICIES: readonly AwsManagedPolicy[] = data.policies
  .map((p) => ({
    policyName: p.policyName,
    policyId: p.policyId,
    arn: p.arn,
    path: p.path,
    description: p.description,
    defaultVersionId: p.defaultVersionId,
    createDate: new Date(p.createDate),
    updateDate: new Date(p.updateDate),
    document: JSON.stringify(p.document, null, 4),
  }))
  .sort((a, b) => a.policyName.localeCompare(b.policyName));

const BY_ARN = new Map(POLICIES.map((p) => [p.arn, p]));

export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith(AWS_MANAGED_ARN_PREFIX);
}

/** The AWS managed policy with this ARN (exact, case-sensitive as ARNs are), if coffer ships it. */
export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

/** All shipped AWS managed policies, sorted by name. */
export function awsManagedPolicies(): readonly AwsManagedPolicy[] {
  return POLICIES;
}
