/**
 * Versions of managed policies: CreatePolicyVersion (at most five), GetPolicyVersion,
 * ListPolicyVersions, DeletePolicyVersion (never the default), SetDefaultPolicyVersion.
 * Version ids are `v<n>` and never reused. AWS managed policies answer with their default
 * version, the one coffer ships, and cannot be changed.
 */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import { awsManagedPolicy } from './aws-managed-policies.ts';
import { deleteConflict, encodePolicyDocument, limitExceeded, noSuchEntity, pageOf } from './entities.ts';
import { checkPolicyDocument, POLICY_SIZE } from './policy-documents.ts';
import { checkPolicyArn, findManagedPolicy, policyNotFound, refuseAwsManaged, type ManagedPolicyView } from './policy-store.ts';
import { onPolicy } from './managed-policies.ts';

const MAX_VERSIONS = 5;

const noSuchVersion = (arn: string, versionId: string) => noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);

interface VersionOutput { Document?: string; VersionId: string; IsDefaultVersion: boolean; CreateDate: Date }

interface VersionRow { version_id: string; document: string; created_at: number }

/** The versions of a policy, newest first, as AWS lists them. */
async function versionsOf(deps: IamDeps, policy: ManagedPolicyView): Promise<VersionRow[]> {
  if (policy.awsManaged) {
    const p = awsManagedPolicy(policy.arn)!;
    return [{ version_id: p.defaultVersionId, document: p.document, created_at: p.updateDate.getTime() }];
  }
  const rows = await deps.db.selectFrom('iam_policy_versions').select(['version_id', 'document', 'created_at'])
    .where('policy_arn', '=', policy.arn).execute();
  return rows.sort((a, b) => versionNumber(b.version_id) - versionNumber(a.version_id));
}

function versionNumber(versionId: string): number {
  return Number.parseInt(versionId.slice(1), 10);
}

interface CreatePolicyVersionInput { PolicyArn: string; PolicyDocument: string; SetAsDefault?: boolean }

export function createPolicyVersion(deps: IamDeps) {
  return operation<CreatePolicyVersionInput, { PolicyVersion: VersionOutput }, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:CreatePolicyVersion', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:CreatePolicyVersion');
      checkPolicyDocument(input.PolicyDocument, 'identity', POLICY_SIZE.managed);
      const accountId = ctx.principal.accountId;
      const now = deps.now();
      const versionId = await transaction(deps.db, async (trx) => {
        const row = await trx.selectFrom('iam_managed_policies').selectAll()
          .where('account_id', '=', accountId).where('arn', '=', policy.arn).executeTakeFirst();
        if (!row) throw policyNotFound(input.PolicyArn);
        const count = await trx.selectFrom('iam_policy_versions').select((eb) => eb.fn.countAll<number>().as('n'))
          .where('policy_arn', '=', row.arn).executeTakeFirstOrThrow();
        if (Number(count.n) >= MAX_VERSIONS) {
          throw limitExceeded(`A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
        }
        const next = Number(row.last_version) + 1;
        const id = `v${next}`;
        await trx.insertInto('iam_policy_versions').values({ policy_arn: row.arn, version_id: id, document: input.PolicyDocument, created_at: now }).execute();
        const set: { last_version: number; default_version?: string; updated_at?: number } = { last_version: next };
        if (input.SetAsDefault) Object.assign(set, { default_version: id, updated_at: now });
        await trx.updateTable('iam_managed_policies').set(set).where('account_id', '=', accountId).where('policy_key', '=', row.policy_key).execute();
        return id;
      });
      deps.changed();
      return { PolicyVersion: { VersionId: versionId, IsDefaultVersion: Boolean(input.SetAsDefault), CreateDate: new Date(now) } };
    },
  });
}

interface VersionInput { PolicyArn: string; VersionId: string }

export function getPolicyVersion(deps: IamDeps) {
  return operation<VersionInput, { PolicyVersion: VersionOutput }, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:GetPolicyVersion', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(_ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw noSuchVersion(input.PolicyArn, input.VersionId);
      const version = (await versionsOf(deps, policy)).find((v) => v.version_id === input.VersionId);
      if (!version) throw noSuchVersion(input.PolicyArn, input.VersionId);
      return {
        PolicyVersion: {
          Document: encodePolicyDocument(version.document), VersionId: version.version_id,
          IsDefaultVersion: version.version_id === policy.defaultVersionId, CreateDate: new Date(Number(version.created_at)),
        },
      };
    },
  });
}

export function listPolicyVersions(deps: IamDeps) {
  return operation<{ PolicyArn: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:ListPolicyVersions', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(_ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      const versions = await versionsOf(deps, policy);
      // Newest first; the marker key keeps that order under string comparison.
      const key = (v: VersionRow) => String(1e9 - versionNumber(v.version_id)).padStart(10, '0');
      const { page, ...paging } = pageOf(versions, key, input.Marker, input.MaxItems);
      return {
        Versions: page.map((v) => ({ VersionId: v.version_id, IsDefaultVersion: v.version_id === policy.defaultVersionId, CreateDate: new Date(Number(v.created_at)) })),
        ...paging,
      };
    },
  });
}

export function deletePolicyVersion(deps: IamDeps) {
  return operation<VersionInput, Record<string, never>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:DeletePolicyVersion', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw noSuchVersion(input.PolicyArn, input.VersionId);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:DeletePolicyVersion');
      await transaction(deps.db, async (trx) => {
        const row = await trx.selectFrom('iam_managed_policies').select('default_version')
          .where('account_id', '=', ctx.principal.accountId).where('arn', '=', policy.arn).executeTakeFirst();
        if (!row) throw noSuchVersion(input.PolicyArn, input.VersionId);
        if (row.default_version === input.VersionId) throw deleteConflict('Cannot delete the default version of a policy.');
        const result = await trx.deleteFrom('iam_policy_versions')
          .where('policy_arn', '=', policy.arn).where('version_id', '=', input.VersionId).executeTakeFirst();
        if (Number(result.numDeletedRows) === 0) throw noSuchVersion(input.PolicyArn, input.VersionId);
      });
      deps.changed();
      return {};
    },
  });
}

export function setDefaultPolicyVersion(deps: IamDeps) {
  return operation<VersionInput, Record<string, never>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:SetDefaultPolicyVersion', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:SetDefaultPolicyVersion');
      await transaction(deps.db, async (trx) => {
        const version = await trx.selectFrom('iam_policy_versions').select('version_id')
          .where('policy_arn', '=', policy.arn).where('version_id', '=', input.VersionId).executeTakeFirst();
        if (!version) throw noSuchVersion(input.PolicyArn, input.VersionId);
        await trx.updateTable('iam_managed_policies').set({ default_version: input.VersionId, updated_at: deps.now() })
          .where('account_id', '=', ctx.principal.accountId).where('arn', '=', policy.arn).execute();
      });
      deps.changed();
      return {};
    },
  });
}
