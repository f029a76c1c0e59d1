/**
 * Helpers every IAM operation file shares: unique ids and ARNs, name keys, tags, paging and
 * the errors IAM spells the same way everywhere. Kept small on purpose; operation-specific
 * rules live beside their operations.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../errors.ts';

/** Unique-id prefixes, as AWS's: users AIDA, groups AGPA, roles AROA, managed policies ANPA. */
export type IdPrefix = 'AIDA' | 'AGPA' | 'AROA' | 'ANPA';

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AIDA` + 17 characters of base32, 21 in all, as AWS's unique ids look. */
export function newUniqueId(prefix: IdPrefix): string {
  let id = prefix;
  for (const b of randomBytes(17)) id += ID_ALPHABET[b % 32];
  return id;
}

/** IAM names are unique per account regardless of case; tables key them by this. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** `arn:aws:iam::<acct>:<kind>/<path><name>`; `path` starts and ends with `/`. */
export function iamArn(accountId: string, kind: 'user' | 'group' | 'role' | 'policy', path: string, name: string): string {
  return `arn:aws:iam::${accountId}:${kind}${path}${name}`;
}

// Errors with IAM's codes and statuses (the model's error shapes).
export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
export const entityAlreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409);
export const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);
export const invalidInput = (message: string) => new AwsError('InvalidInput', message, 400);

export interface Tag {
  Key: string;
  Value: string;
}

/** Parses a `tags` column (JSON array of {Key, Value}). */
export function readTags(column: string | null | undefined): Tag[] {
  return column ? (JSON.parse(column) as Tag[]) : [];
}

/** Tag keys are case-insensitive in IAM: two keys differing only in case are duplicates. */
export function checkTagKeysUnique(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
}

export const MAX_TAGS = 50;

/** Adds or replaces `incoming` (matched case-insensitively, the new spelling kept). */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[]): Tag[] {
  const replaced = new Set(incoming.map((t) => t.Key.toLowerCase()));
  return [...existing.filter((t) => !replaced.has(t.Key.toLowerCase())), ...incoming.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }))];
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const gone = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !gone.has(t.Key.toLowerCase()));
}

/** Condition keys a request's tags set: `aws:RequestTag/<key>` and `aws:TagKeys`. */
export function requestTagConditions(tags: readonly Tag[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!tags || tags.length === 0) return out;
  for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  out['aws:TagKeys'] = tags.map((t) => t.Key);
  return out;
}

/** Condition keys of a tagged resource: `aws:ResourceTag/<key>` and IAM's own `iam:ResourceTag/<key>`. */
export function resourceTagConditions(tags: readonly Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    out[`aws:ResourceTag/${t.Key}`] = t.Value;
    out[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  return out;
}

/**
 * IAM's Marker/MaxItems paging over a list ordered by `keyOf`: the marker is opaque
 * (the last key returned, base64url), MaxItems defaults to 100.
 */
export function pageOf<T>(unsorted: readonly T[], keyOf: (item: T) => string, marker: string | undefined, maxItems: number | undefined): { page: T[]; IsTruncated: boolean; Marker?: string } {
  // Sorted here, by code unit, so the order (and the marker) is the same on every database.
  const items = [...unsorted].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (marker !== undefined) {
    let after: string;
    try {
      after = Buffer.from(marker, 'base64url').toString('utf8');
    } catch {
      throw invalidInput('Invalid Marker.');
    }
    start = items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const limit = maxItems ?? 100;
  const page = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return truncated
    ? { page, IsTruncated: true, Marker: Buffer.from(keyOf(page[page.length - 1]!), 'utf8').toString('base64url') }
    : { page, IsTruncated: false };
}

/** IAM returns policy documents URL-encoded inside its XML (RFC 3986, as AWS encodes them). */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
