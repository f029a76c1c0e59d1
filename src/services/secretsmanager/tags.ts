/** Tag rules for secrets: at most 50, the `aws:` prefix reserved for AWS. */
import { AwsError } from '../../errors.ts';
import type { ConditionValue } from '../../auth/request-context.ts';

export interface Tag {
  Key: string;
  Value: string;
}

export const MAX_TAGS = 50;

export function validateNewTags(tags: { Key?: string; Value?: string }[]): Tag[] {
  return tags.map((t) => {
    if (t.Key === undefined) throw new AwsError('InvalidParameterException', 'You must specify a tag key.');
    if (t.Key.toLowerCase().startsWith('aws:')) {
      throw new AwsError('InvalidParameterException', `Invalid tag key: ${t.Key}. Tag keys that begin with "aws:" are reserved for AWS use.`);
    }
    return { Key: t.Key, Value: t.Value ?? '' };
  });
}

/** Existing tags with `added` upserted by key; throws past the limit (aws: tags don't count). */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) merged.set(t.Key, t.Value);
  const result = [...merged].map(([Key, Value]) => ({ Key, Value }));
  if (result.filter((t) => !t.Key.startsWith('aws:')).length > MAX_TAGS) {
    throw new AwsError('InvalidParameterException', `A secret can have at most ${MAX_TAGS} tags.`);
  }
  return result;
}

/** aws:RequestTag/… and aws:TagKeys for a request carrying tags. */
export function requestTagConditions(tags: { Key?: string; Value?: string }[] | undefined, keys?: string[]): Record<string, ConditionValue> {
  const out: Record<string, ConditionValue> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  const tagKeys = keys ?? (tags ?? []).map((t) => t.Key).filter((k): k is string => k !== undefined);
  if (tags || keys) out['aws:TagKeys'] = tagKeys;
  return out;
}
