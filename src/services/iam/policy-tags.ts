/** TagPolicy, UntagPolicy, ListPolicyTags on customer managed policies (AWS managed ones carry no tags and cannot be tagged). */
import { operation } from '../../protocol/operation.ts';
import type { IamDeps } from './deps.ts';
import { checkTagKeysUnique, limitExceeded, MAX_TAGS, mergeTags, pageOf, removeTags, requestTagConditions, type Tag } from './entities.ts';
import { checkPolicyArn, findManagedPolicy, policyNotFound, refuseAwsManaged, type ManagedPolicyView } from './policy-store.ts';
import { onPolicy } from './managed-policies.ts';

async function writeTags(deps: IamDeps, accountId: string, policy: ManagedPolicyView, tags: Tag[]): Promise<void> {
  await deps.db.updateTable('iam_managed_policies').set({ tags: JSON.stringify(tags) })
    .where('account_id', '=', accountId).where('arn', '=', policy.arn).execute();
  deps.changed();
}

export function tagPolicy(deps: IamDeps) {
  return operation<{ PolicyArn: string; Tags: Tag[] }, Record<string, never>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      const authorization = onPolicy('iam:TagPolicy', ctx.principal.accountId, input.PolicyArn, policy);
      return { authorization: { ...authorization, conditions: { ...authorization.conditions, ...requestTagConditions(input.Tags) } }, state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:TagPolicy');
      checkTagKeysUnique(input.Tags ?? []);
      const tags = mergeTags(policy.tags, input.Tags ?? []);
      if (tags.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for TagsPerPolicy: ${MAX_TAGS}`);
      await writeTags(deps, ctx.principal.accountId, policy, tags);
      return {};
    },
  });
}

export function untagPolicy(deps: IamDeps) {
  return operation<{ PolicyArn: string; TagKeys: string[] }, Record<string, never>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      const authorization = onPolicy('iam:UntagPolicy', ctx.principal.accountId, input.PolicyArn, policy);
      return { authorization: { ...authorization, conditions: { ...authorization.conditions, 'aws:TagKeys': input.TagKeys ?? [] } }, state: policy };
    },
    async run(ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      refuseAwsManaged(policy, ctx.principal.arn, 'iam:UntagPolicy');
      await writeTags(deps, ctx.principal.accountId, policy, removeTags(policy.tags, input.TagKeys ?? []));
      return {};
    },
  });
}

export function listPolicyTags(deps: IamDeps) {
  return operation<{ PolicyArn: string; Marker?: string; MaxItems?: number }, Record<string, unknown>, ManagedPolicyView | undefined>({
    async plan(ctx, input) {
      const policy = await findManagedPolicy(deps.db, ctx.principal.accountId, input.PolicyArn);
      return { authorization: onPolicy('iam:ListPolicyTags', ctx.principal.accountId, input.PolicyArn, policy), state: policy };
    },
    async run(_ctx, input, policy) {
      checkPolicyArn(input.PolicyArn);
      if (!policy) throw policyNotFound(input.PolicyArn);
      // Tags keep the order they were set in; the marker is the position, padded to sort as text.
      const tags = policy.tags.map((tag, i) => ({ tag, key: String(i).padStart(4, '0') }));
      const { page, ...paging } = pageOf(tags, (t) => t.key, input.Marker, input.MaxItems);
      return { Tags: page.map((t) => t.tag), ...paging };
    },
  });
}
