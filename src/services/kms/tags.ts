/** Tag checks KMS makes on CreateKey and TagResource (TagException with AWS's texts). */
import { AwsError } from '../../errors.ts';

export const MAX_TAGS = 50;
const tagError = (message: string) => new AwsError('TagException', message);

export interface TagInput {
  TagKey: string;
  TagValue: string;
}

/** The request's tags as a map; duplicate keys and the reserved `aws:` prefix are refused. */
export function tagsFromRequest(tags: TagInput[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.TagKey.toLowerCase().startsWith('aws:')) throw tagError('Tags beginning with aws: are reserved');
    if (Object.hasOwn(out, tag.TagKey)) throw tagError('Duplicate tag keys');
    out[tag.TagKey] = tag.TagValue;
  }
  if (Object.keys(out).length > MAX_TAGS) throw tagError('Too many tags');
  return out;
}

/** After merging: a key holds at most 50 tags. */
export function checkTagCount(current: Record<string, string>, added: Record<string, string>): void {
  const keys = new Set([...Object.keys(current), ...Object.keys(added)]);
  if (keys.size > MAX_TAGS) throw tagError('Too many tags');
}
