/** How a finished request counts in the metrics: success, a client error or a server error. */
import type { RequestRecord } from '../observe/request-record.ts';

export type Outcome = 'success' | 'client_error' | 'server_error';

/**
 * The codes of a request refused while authenticating (src/auth/authenticate.ts, sigv4.ts,
 * sessions.ts), before any principal is known.
 */
const AUTHENTICATION_CODES = new Set([
  'MissingAuthenticationTokenException', 'IncompleteSignatureException', 'InvalidSignatureException',
  'UnrecognizedClientException', 'ExpiredTokenException',
]);

export function outcomeOf(record: RequestRecord): { outcome: Outcome; code: string } {
  const error = record.error;
  if (!error) return { outcome: record.status >= 500 ? 'server_error' : 'success', code: '' };
  return { outcome: error.status >= 500 ? 'server_error' : 'client_error', code: error.code };
}

/** Refused before authentication finished: no request context was built. */
export function isAuthenticationFailure(record: RequestRecord): boolean {
  return record.ctx === undefined && record.error !== undefined && AUTHENTICATION_CODES.has(record.error.code);
}

/** An authenticated caller whom a policy (identity, resource, key, boundary, session) refused. */
export function isAuthorizationDenial(record: RequestRecord): boolean {
  return record.ctx !== undefined && record.error?.code === 'AccessDeniedException';
}
