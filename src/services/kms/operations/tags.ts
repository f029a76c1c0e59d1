/** Key tags: TagResource, UntagResource, ListResourceTags (aws:RequestTag/… and aws:TagKeys on writes). */
import { operation } from '../../../protocol/operation.ts';
import type { KmsDeps } from '../deps.ts';
import { findKey, requireNotPendingDeletion, stateOf, type FoundKey } from '../key-lookup.ts';
import { onKey, requestTagConditions } from '../authorization.ts';
import { checkTagCount, tagsFromRequest, type TagInput } from '../tags.ts';
import { byKey, page } from '../paging.ts';

interface TagResourceInput {
  KeyId: string;
  Tags: TagInput[];
}

export const tagResource = (deps: KmsDeps) => operation({
  async plan(ctx, input: TagResourceInput) {
    const tags = tagsFromRequest(input.Tags);
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:TagResource', { extra: requestTagConditions(tags) }), state: { found, tags } };
  },
  async run(_ctx, _input: TagResourceInput, { found, tags }: { found: FoundKey; tags: Record<string, string> }) {
    await deps.writer.tag(found.key.keyId, tags, (row, current) => {
      requireNotPendingDeletion(stateOf(row));
      checkTagCount(current, tags);
    });
    return {};
  },
});

interface UntagResourceInput {
  KeyId: string;
  TagKeys: string[];
}

export const untagResource = (deps: KmsDeps) => operation({
  async plan(ctx, input: UntagResourceInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:UntagResource', { extra: requestTagConditions(undefined, input.TagKeys) }), state: found };
  },
  async run(_ctx, input: UntagResourceInput, found: FoundKey) {
    // Removing a tag the key does not have is not an error.
    await deps.writer.untag(found.key.keyId, input.TagKeys, (row) => requireNotPendingDeletion(stateOf(row)));
    return {};
  },
});

interface ListResourceTagsInput {
  KeyId: string;
  Limit?: number;
  Marker?: string;
}

export const listResourceTags = (deps: KmsDeps) => operation({
  async plan(ctx, input: ListResourceTagsInput) {
    const found = await findKey(deps.keys, ctx, input.KeyId);
    return { authorization: onKey(ctx, found, 'kms:ListResourceTags'), state: found };
  },
  async run(_ctx, input: ListResourceTagsInput, { key }: FoundKey) {
    const tags = Object.entries(key.tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })).sort(byKey((t) => t.TagKey));
    const result = page(tags, (t) => t.TagKey, input.Limit, input.Marker, 50);
    return { Tags: result.items, NextMarker: result.NextMarker, Truncated: result.Truncated };
  },
});
