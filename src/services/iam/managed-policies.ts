/** Customer managed policies: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy; AWS managed ones are served read-only. */
import { operation } from '../../protocol/operation.ts';
import { transaction } from '../../storage/transaction.ts';
import type { IamDeps } from './deps.ts';
import type { AuthorizationRequest } from '../../auth/request-context.ts';
import { awsManagedPolicies, isAwsManagedArn } from './aws-managed-policies.ts';
import {
  checkTagKeysUnique, deleteConflict, entityAlreadyExists, iamArn, limitExceeded, MAX_TAGS, nameKey, newUniqueId, pageOf,
  requestTagConditions, type Tag,
} from './entities.ts';
import { checkPolicyDocument, POLICY_SIZE } from './policy-documents.ts';
import {
  checkPolicyArn, findManagedPolicy, policyNotFound, policyOutput, refuseAwsManaged, usageCounts, viewOfRow,
  type ManagedPolicyRow, type ManagedPolicyView, type PolicyOutput,
} from './policy-store.ts';

/**
 * How a managed policy is authorized: `iam:<Op>` on its ARN, with its tags. AWS managed
 * policies' ARNs carry `aws` for the account; reading them is an in-account request for every
 * caller (identity policies alone decide), so the resource account is the caller's.
 */
export function onPolicy(action: string, accountId: string, arn: string, policy: ManagedPolicyView | undefined): AuthorizationRequest {
  const conditions: Record<string, string | string[]> = {};
  for (const t of policy?.tags ?? []) conditions[`aws:ResourceTag/${t.Key}`] = t.Value;
  return { action, resource: arn, conditions, ...(isAwsManagedArn(arn) ? { resourceAccountId: accountId } : {}) };
}

interface CreatePolicyInput { PolicyName: string; Path?: string; PolicyDocument: string; Description?: string; Tags?: Tag[] }

export function createPolicy(deps: IamDeps) {
  return operation<CreatePolicyInput, { Policy: PolicyOutput }, undefined>({
    plan: async (ctx, input) => ({
      authorization: { action: 'iam:CreatePolicy', resource: iamArn(ctx.principal.accountId, 'policy', input.Path ?? '/', input.PolicyName), conditions: requestTagConditions(input.Tags) },
      state: undefined,
    }),
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const tags = input.Tags ?? [];
      if (tags.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPerPolicy: ${MAX_TAGS}`);
      checkTagKeysUnique(tags);
      checkPolicyDocument(input.PolicyDocument, 'identity', POLICY_SIZE.managed);
      const path = input.Path ?? '/';
      const now = deps.now();
      const row: ManagedPolicyRow = {
        account_id: accountId, policy_key: nameKey(input.PolicyName), policy_name: input.PolicyName, policy_id: newUniqueId('ANPA'),
        path, arn: iamArn(accountId, 'policy', path, input.PolicyName), description: input.Description ?? null,
        default_version: 'v1', last_version: 1, tags: JSON.stringify(tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))),
        created_at: now, updated_at: now,
      };
      const exists = (name: string) => entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      const clash = await deps.db.selectFrom('iam_managed_policies').select('policy_name')
        .where('account_id', '=', accountId).where('policy_key', '=', row.policy_key).executeTakeFirst();
      if (clash) throw exists(input.PolicyName);
      try {
        await transaction(deps.db, async (trx) => {
          await trx.insertInto('iam_managed_policies').values(row).execute();
          await trx.insertInto('iam_policy_versions').values({ policy_arn: row.arn, version_id: 'v1', document: input.PolicyDocument, created_at: now }).execute();
        });
      } catch (err) {
        // A concurrent CreatePolicy of the same name won the primary key.
        const winner = await deps.db.selectFrom('iam_managed_policies').select('policy_name')
          .where('account_id', '=', accountId).where('policy_key', '=', row.policy_key).executeTakeFirst();
        if (winner) throw exists(input.PolicyName);
        throw err;
      }
      deps.changed();
      // CreatePolicy's answer carries the tags but not the description, as AWS's.
      const out = policyOutput(viewOfRow(row), { attachments: 0, boundaries: 0 }, true);
      delete out.Description;
      return { Policy: out };
    },
  });
}

interface PolicyArnInput { PolicyArn: string }

export function getPolicy(deps: IamDeps) {
  return operation<PolicyArnInput, { Policy: PolicyOutput }, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:GetPolicy', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      return { Policy: policyOutput(policy, await usageCounts(deps.db, ctx.principal.accountId, policy.arn), true) };
    },
  });
}

interface ListPoliciesInput {
  Scope?: 'All' | 'AWS' | 'Local'; OnlyAttached?: boolean; PathPrefix?: string;
  PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary'; Marker?: string; MaxItems?: number;
}

export function listPolicies(deps: IamDeps) {
  return operation<ListPoliciesInput, Record<string, unknown>, undefined>({
    plan: async (ctx) => ({ authorization: { action: 'iam:ListPolicies', resource: iamArn(ctx.principal.accountId, 'policy', '/', '*') }, state: undefined }),
    async run(ctx, input) {
      const accountId = ctx.principal.accountId;
      const scope = input.Scope ?? 'All';
      const prefix = input.PathPrefix ?? '/';
      const views: ManagedPolicyView[] = [];
      if (scope !== 'Local') {
        for (const p of awsManagedPolicies()) {
          const view = await findManagedPolicy(deps.db, accountId, p.arn);
          if (view) views.push(view);
        }
      }
      if (scope !== 'AWS') {
        const rows = await deps.db.selectFrom('iam_managed_policies').selectAll().where('account_id', '=', accountId).execute();
        views.push(...rows.map(viewOfRow));
      }
      // Usage of every policy of the account in two grouped queries, not one per policy.
      const attachments = new Map((await deps.db.selectFrom('iam_attachments').select(['policy_arn', (eb) => eb.fn.countAll<number>().as('n')])
        .where('account_id', '=', accountId).groupBy('policy_arn').execute()).map((r) => [r.policy_arn, Number(r.n)]));
      const boundaries = new Map<string, number>();
      for (const table of ['iam_users', 'iam_roles'] as const) {
        const rows = await deps.db.selectFrom(table).select(['permissions_boundary', (eb) => eb.fn.countAll<number>().as('n')])
          .where('account_id', '=', accountId).where('permissions_boundary', 'is not', null).groupBy('permissions_boundary').execute();
        for (const r of rows) boundaries.set(r.permissions_boundary!, (boundaries.get(r.permissions_boundary!) ?? 0) + Number(r.n));
      }
      const counted = views
        .filter((v) => v.path.startsWith(prefix))
        .map((v) => ({ view: v, counts: { attachments: attachments.get(v.arn) ?? 0, boundaries: boundaries.get(v.arn) ?? 0 } }))
        .filter(({ counts }) => {
          if (!input.OnlyAttached) return true;
          if (input.PolicyUsageFilter === 'PermissionsBoundary') return counts.boundaries > 0;
          if (input.PolicyUsageFilter === 'PermissionsPolicy') return counts.attachments > 0;
          return counts.attachments > 0 || counts.boundaries > 0;
        });
      const key = (v: ManagedPolicyView) => `${v.name.toLowerCase()}\u0000${v.arn}`;
      counted.sort((a, b) => (key(a.view) < key(b.view) ? -1 : key(a.view) > key(b.view) ? 1 : 0));
      const { page, ...paging } = pageOf(counted, (c) => key(c.view), input.Marker, input.MaxItems);
      return { Policies: page.map((c) => policyOutput(c.view, c.counts)), ...paging };
    },
  });
}

export function deletePolicy(deps: IamDeps) {
  return operation<PolicyArnInput, Record<string, never>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:DeletePolicy', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:DeletePolicy');
      const accountId = ctx.principal.accountId;
      await transaction(deps.db, async (trx) => {
        const row = await trx.selectFrom('iam_managed_policies').selectAll()
          .where('account_id', '=', accountId).where('arn', '=', policy.arn).executeTakeFirst();
        if (!row) throw policyNotFound(input.PolicyArn);
        const counts = await usageCounts(trx, accountId, row.arn);
        if (counts.attachments > 0 || counts.boundaries > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
        const versions = await trx.selectFrom('iam_policy_versions').select('version_id').where('policy_arn', '=', row.arn).execute();
        if (versions.length > 1) {
          throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
        }
        await trx.deleteFrom('iam_policy_versions').where('policy_arn', '=', row.arn).execute();
        await trx.deleteFrom('iam_managed_policies').where('account_id', '=', accountId).where('policy_key', '=', row.policy_key).execute();
      });
      deps.changed();
      return {};
    },
  });
}
