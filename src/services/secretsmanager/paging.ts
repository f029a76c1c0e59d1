/** Opaque NextToken values: an offset into a listing, bound to the listing's kind. */
import { AwsError } from '../../errors.ts';

export function encodeToken(kind: string, offset: number): string {
  return Buffer.from(JSON.stringify({ k: kind, o: offset }), 'utf8').toString('base64url');
}

export function decodeToken(kind: string, token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown; o?: unknown };
    if (parsed.k === kind && typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch { /* falls through to the AWS error */ }
  throw new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.');
}

export function page<T>(items: T[], kind: string, token: string | undefined, max: number): { items: T[]; next?: string } {
  const offset = decodeToken(kind, token);
  const slice = items.slice(offset, offset + max);
  return { items: slice, next: offset + max < items.length ? encodeToken(kind, offset + max) : undefined };
}
