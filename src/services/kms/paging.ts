/**
 * Limit/Marker paging as KMS lists do it: `Truncated` always present, `NextMarker` only when
 * there is more. The marker is opaque to clients; ours names the last item returned, so a
 * page stays right when items are added or removed between calls.
 */
import { AwsError } from '../../errors.ts';

export interface Page<T> {
  items: T[];
  Truncated: boolean;
  NextMarker?: string;
}

export function page<T>(sorted: readonly T[], sortKey: (item: T) => string, limit: number | undefined, marker: string | undefined, defaultLimit: number): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    let after: string;
    try {
      const decoded = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as unknown;
      if (typeof decoded !== 'object' || decoded === null || typeof (decoded as { after?: unknown }).after !== 'string') throw new Error('bad marker');
      after = (decoded as { after: string }).after;
    } catch {
      throw new AwsError('InvalidMarkerException', 'Invalid marker');
    }
    start = sorted.findIndex((item) => sortKey(item) > after);
    if (start < 0) start = sorted.length;
  }
  const size = limit ?? defaultLimit;
  const items = sorted.slice(start, start + size);
  const more = start + size < sorted.length;
  return more
    ? { items, Truncated: true, NextMarker: Buffer.from(JSON.stringify({ after: sortKey(items[items.length - 1]!) })).toString('base64url') }
    : { items, Truncated: false };
}

/** Sorting by the same order `page` compares markers in (code units, not locale). */
export function byKey<T>(sortKey: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = sortKey(a);
    const y = sortKey(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}
