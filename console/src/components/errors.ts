// Reading AWS SDK errors for display: code, message, request id, and — for access denials —
// the action, resource and principal AWS's message names, for the "Why?" page.

export interface ErrorFacts {
  name: string;
  message: string;
  requestId?: string;
  status?: number;
  denied: boolean;
  action?: string;
  resource?: string;
  principal?: string;
}

const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedException', 'AuthorizationError', 'NotAuthorized']);

/**
 * AWS's wording: "User: ARN is not authorized to perform: ACTION on resource: RESOURCE[ because
 * …]" (also "with an explicit deny in …"). Older texts omit "on resource:".
 */
export function parseDenial(message: string): { principal?: string; action?: string; resource?: string } {
  const m = /User: (\S+) is not authorized to perform: ([\w-]+:[\w*]+)(?: on resource: (\S+?))?(?:\s|$|\.$)/.exec(message);
  if (!m) return {};
  return { principal: m[1], action: m[2], resource: m[3]?.replace(/[.,;]$/, '') };
}

export function errorFacts(err: unknown): ErrorFacts {
  const e = (err ?? {}) as { name?: string; Code?: string; code?: string; message?: string; requestId?: string; status?: number; $metadata?: { requestId?: string; httpStatusCode?: number } };
  const name = e.Code ?? e.name ?? e.code ?? 'Error';
  const message = e.message ?? String(err);
  const denial = parseDenial(message);
  return {
    name, message,
    requestId: e.$metadata?.requestId ?? e.requestId,
    status: e.$metadata?.httpStatusCode ?? e.status,
    denied: DENIED.has(name) || denial.action !== undefined,
    ...denial,
  };
}

/** The "Why?" page's link for a denial (H2's page reads action, resource and principal). */
export function whyHref(f: Pick<ErrorFacts, 'action' | 'resource' | 'principal'>): string {
  const q = new URLSearchParams();
  if (f.action) q.set('action', f.action);
  if (f.resource) q.set('resource', f.resource);
  if (f.principal) q.set('principal', f.principal);
  return `#/why?${q.toString()}`;
}

/** Whether the session's credentials ran out (the app then returns to sign-in). */
export function isExpired(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'ExpiredTokenException' || name === 'ExpiredToken';
}

/**
 * The page's session credentials are no longer known to the server: it was revoked (a sign-out
 * of the same session elsewhere) or the server's sessions were reset. The page only ever holds
 * session credentials, so this is never a mistyped key.
 */
export function isRevoked(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId';
}
