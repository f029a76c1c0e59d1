import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, secretAuthorization, tagsOf } from '../lookup.ts';
import { mergeTags, requestTagConditions, validateNewTags } from '../tags.ts';

interface TagResourceInput {
  SecretId: string;
  Tags: { Key?: string; Value?: string }[];
}

interface UntagResourceInput {
  SecretId: string;
  TagKeys: string[];
}

export const tagResource = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: TagResourceInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'TagResource', input.SecretId, secret, requestTagConditions(input.Tags)), state: secret };
  },
  async run(_ctx, input: TagResourceInput, found) {
    const added = validateNewTags(input.Tags);
    const secret = requireSecret(found);
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      const tags = mergeTags(tagsOf(current), added);
      await trx.updateTable('secrets').set({ tags: JSON.stringify(tags), last_changed_at: deps.now() }).where('id', '=', current.id).execute();
    });
    return {};
  },
});

export const untagResource = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: UntagResourceInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'UntagResource', input.SecretId, secret, requestTagConditions(undefined, input.TagKeys)), state: secret };
  },
  async run(_ctx, input: UntagResourceInput, found) {
    const secret = requireSecret(found);
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      const removed = new Set(input.TagKeys);
      // After untagging everything AWS shows `Tags: []`, not no Tags: keep the empty list.
      const tags = tagsOf(current).filter((t) => !removed.has(t.Key));
      await trx.updateTable('secrets').set({ tags: JSON.stringify(tags), last_changed_at: deps.now() }).where('id', '=', current.id).execute();
    });
    return {};
  },
});
