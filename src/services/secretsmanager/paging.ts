/**
 * Opaque NextToken values, bound to the listing (and sort) they were issued for; any other
 * token is AWS's InvalidNextTokenException.
 *
 * Two kinds: an offset (`page`), for short per-secret lists, and a keyset cursor (`pageAfter`)
 * holding the sort key of the last item returned. Listings of secrets use the cursor, so a
 * secret created or deleted between two calls neither repeats an entry nor hides one.
 */
import { AwsError } from '../../errors.ts';

const invalidToken = () => new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(token: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch { /* falls through to the AWS error */ }
  throw invalidToken();
}

export function encodeToken(kind: string, offset: number): string {
  return encode({ k: kind, o: offset });
}

export function decodeToken(kind: string, token: string | undefined): number {
  if (token === undefined) return 0;
  const parsed = decode(token);
  if (parsed.k === kind && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  throw invalidToken();
}

export function page<T>(items: T[], kind: string, token: string | undefined, max: number): { items: T[]; next?: string } {
  const offset = decodeToken(kind, token);
  const slice = items.slice(offset, offset + max);
  return { items: slice, next: offset + max < items.length ? encodeToken(kind, offset + max) : undefined };
}

/** The sort key of one item: compared element by element. */
export type CursorKey = (string | number)[];

export interface KeysetOrder<T> {
  /** Names the listing and its sort, so a token is only good for the same kind of call. */
  kind: string;
  /** How many elements a key has. */
  arity: number;
  key(item: T): CursorKey;
  /** A total order on keys (ties broken by a unique member), the one `items` is sorted by. */
  compare(a: CursorKey, b: CursorKey): number;
}

function decodeCursor(kind: string, token: string, arity: number): CursorKey {
  const parsed = decode(token);
  const key = parsed.a;
  if (parsed.k === kind && Array.isArray(key) && key.length === arity
    && key.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
    return key as CursorKey;
  }
  throw invalidToken();
}

/** Up to `max` of the sorted `items` that come after the token's position. */
export function pageAfter<T>(items: T[], order: KeysetOrder<T>, token: string | undefined, max: number): { items: T[]; next?: string } {
  let start = 0;
  if (token !== undefined) {
    const after = decodeCursor(order.kind, token, order.arity);
    start = items.findIndex((item) => order.compare(order.key(item), after) > 0);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, next: more ? encode({ k: order.kind, a: order.key(slice.at(-1)!) }) : undefined };
}
