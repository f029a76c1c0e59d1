/**
 * Managed policies by ARN, AWS managed (shipped data) and customer managed (the caller's
 * account's rows) behind one view, with their usage counts and the `Policy` output shape.
 */
import type { Selectable } from 'kysely';
import type { IamManagedPolicyTable } from '../../storage/schema.ts';
import { AwsError } from '../../errors.ts';
import { awsManagedPolicy, isAwsManagedArn } from './aws-managed-policies.ts';
import { invalidInput, noSuchEntity, readTags, type Tag } from './entities.ts';
import type { Db } from './identity-store.ts';

export type ManagedPolicyRow = Selectable<IamManagedPolicyTable>;

export interface ManagedPolicyView {
  awsManaged: boolean;
  arn: string;
  name: string;
  id: string;
  path: string;
  description: string | null;
  defaultVersionId: string;
  createDate: Date;
  updateDate: Date;
  tags: Tag[];
  /** The row of a customer managed policy. */
  row?: ManagedPolicyRow;
}

const POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy\/(.+)$/;

/** InvalidInput for text that is not a policy ARN at all, as AWS answers it. */
export function checkPolicyArn(arn: string): void {
  if (!POLICY_ARN.test(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
}

export const policyNotFound = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);
export const policyNotAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);

export function viewOfRow(row: ManagedPolicyRow): ManagedPolicyView {
  return {
    awsManaged: false, arn: row.arn, name: row.policy_name, id: row.policy_id, path: row.path, description: row.description,
    defaultVersionId: row.default_version, createDate: new Date(Number(row.created_at)), updateDate: new Date(Number(row.updated_at)),
    tags: readTags(row.tags), row,
  };
}

/** The managed policy `arn` names as the caller's account sees it: AWS managed, or one of its own. */
export async function findManagedPolicy(db: Db, accountId: string, arn: string): Promise<ManagedPolicyView | undefined> {
  if (isAwsManagedArn(arn)) {
    const p = awsManagedPolicy(arn);
    return p && {
      awsManaged: true, arn: p.arn, name: p.policyName, id: p.policyId, path: p.path, description: p.description,
      defaultVersionId: p.defaultVersionId, createDate: p.createDate, updateDate: p.updateDate, tags: [],
    };
  }
  const row = await db.selectFrom('iam_managed_policies').selectAll()
    .where('account_id', '=', accountId).where('arn', '=', arn).executeTakeFirst();
  return row && viewOfRow(row);
}

/** A permissions boundary must name an existing managed policy. */
export async function requirePolicyForBoundary(db: Db, accountId: string, arn: string): Promise<ManagedPolicyView> {
  checkPolicyArn(arn);
  const policy = await findManagedPolicy(db, accountId, arn);
  if (!policy) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  return policy;
}

/** AWS managed policies are AWS's own: no account may change them (IAM answers as for another account's resource). */
export function refuseAwsManaged(policy: ManagedPolicyView, callerArn: string, action: string): void {
  if (policy.awsManaged) {
    throw new AwsError('AccessDenied', `User: ${callerArn} is not authorized to perform: ${action} on resource: policy ${policy.arn}`, 403);
  }
}

export interface UsageCounts { attachments: number; boundaries: number }

/** How many users, groups and roles of the account have the policy attached, and use it as a boundary. */
export async function usageCounts(db: Db, accountId: string, arn: string): Promise<UsageCounts> {
  const [attached, users, roles] = await Promise.all([
    db.selectFrom('iam_attachments').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('policy_arn', '=', arn).executeTakeFirstOrThrow(),
    db.selectFrom('iam_users').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('permissions_boundary', '=', arn).executeTakeFirstOrThrow(),
    db.selectFrom('iam_roles').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('permissions_boundary', '=', arn).executeTakeFirstOrThrow(),
  ]);
  return { attachments: Number(attached.n), boundaries: Number(users.n) + Number(roles.n) };
}

export interface PolicyOutput {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  DefaultVersionId: string;
  AttachmentCount: number;
  PermissionsBoundaryUsageCount: number;
  IsAttachable: boolean;
  Description?: string;
  CreateDate: Date;
  UpdateDate: Date;
  Tags?: Tag[];
}

/** `full` adds Description and Tags, which GetPolicy/CreatePolicy return and ListPolicies does not. */
export function policyOutput(policy: ManagedPolicyView, counts: UsageCounts, full = false): PolicyOutput {
  const out: PolicyOutput = {
    PolicyName: policy.name, PolicyId: policy.id, Arn: policy.arn, Path: policy.path, DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: counts.attachments, PermissionsBoundaryUsageCount: counts.boundaries, IsAttachable: true,
    CreateDate: policy.createDate, UpdateDate: policy.updateDate,
  };
  if (full) {
    if (policy.description !== null) out.Description = policy.description;
    if (policy.tags.length > 0) out.Tags = policy.tags;
  }
  return out;
}
