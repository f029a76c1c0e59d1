/**
 * The `Principal` / `NotPrincipal` element (PRIN, NOTPRIN): compiled into sets, and matched
 * against the caller with the *kind* of match, because what a resource-policy grant is worth
 * depends on which of the caller's identities it names (EVAL, PB):
 *
 * | kind             | named in the policy                         | same-account grant            |
 * |------------------|---------------------------------------------|-------------------------------|
 * | user             | the IAM user's ARN                          | final                         |
 * | role-session     | arn:aws:sts::A:assumed-role/r/s             | final                         |
 * | federated-user   | arn:aws:sts::A:federated-user/u             | final                         |
 * | any              | "*" / {"AWS":"*"}                           | final                         |
 * | service, federated, canonical-user | a service / IdP / canonical id | final                  |
 * | role             | the role a session belongs to               | cut by boundary / session     |
 * | federating-user  | the IAM user who called GetFederationToken  | cut by boundary / session     |
 * | account          | `A` or arn:aws:iam::A:root                  | delegates to identity policies|
 */
import { keyPath, type FindingSink } from './findings.ts';
import type { RequestPrincipal } from './policy-types.ts';

export type PrincipalMatch =
  | 'none'
  | 'any'
  | 'account'
  | 'user'
  | 'role'
  | 'role-session'
  | 'federated-user'
  | 'federating-user'
  | 'service'
  | 'federated'
  | 'canonical-user';

export interface CompiledPrincipal {
  /** `"*"` or `{"AWS": "*"}` */
  readonly any: boolean;
  readonly accounts: ReadonlySet<string>;
  /** User, role, assumed-role session and federated-user ARNs, compared exactly. */
  readonly arns: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly federated: ReadonlySet<string>;
  readonly canonicalUsers: ReadonlySet<string>;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[a-z-]+:iam::(\d{12}):root$/;
// Users and roles may have paths; sessions and federated users may not.
const IAM_IDENTITY_ARN = /^arn:[a-z-]+:iam::\d{12}:(?:user|role)\/[\w+=,.@\-/]+$/;
const STS_IDENTITY_ARN = /^arn:[a-z-]+:sts::\d{12}:(?:assumed-role\/[\w+=,.@-]+\/[\w+=,.@-]+|federated-user\/[\w+=,.@-]+)$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9.-]*\.(?:amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$|^[a-z0-9-]+\.[a-z0-9.-]+$/;
const FEDERATED = /^(?:arn:[a-z-]+:iam::\d{12}:(?:saml-provider|oidc-provider)\/.+|[a-z0-9.-]+\.[a-z]+(?:\/.*)?)$/i;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

/**
 * Compile a Principal/NotPrincipal element. Bad entries are reported with AWS's
 * `Invalid principal in policy: "AWS":"..."` and left out (they then name nobody).
 */
const PRINCIPAL_KINDS = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);

export function compilePrincipal(element: unknown, path: string, sink: FindingSink): CompiledPrincipal {
  let any = false;
  const accounts = new Set<string>();
  const arns = new Set<string>();
  const services = new Set<string>();
  const federated = new Set<string>();
  const canonicalUsers = new Set<string>();
  const result = { any, accounts, arns, services, federated, canonicalUsers };
  if (element === '*') return { ...result, any: true };
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    sink.error('PRINCIPAL_SYNTAX', path, 'Principal must be "*" or an object such as {"AWS": "<account or ARN>"}', 'Syntax errors in policy.');
    return result;
  }
  const entries = element as Record<string, unknown>;
  const invalid = (kind: string, value: unknown, why: string, p: string) =>
    sink.error('INVALID_PRINCIPAL', p, why, `Invalid principal in policy: ${JSON.stringify(kind)}:${JSON.stringify(value)}`);
  for (const kind of Object.keys(entries)) {
    const kindPath = keyPath(path, kind);
    if (!PRINCIPAL_KINDS.has(kind)) {
      // Once per type, not per value: the message quotes the whole list (per value it was quadratic).
      sink.error('PRINCIPAL_SYNTAX', kindPath, `unknown principal type "${kind}"; use AWS, Service, Federated or CanonicalUser`, `Invalid principal in policy: ${JSON.stringify(kind)}:${JSON.stringify(entries[kind])}`);
      continue;
    }
    for (const value of asList(entries[kind])) {
      if (typeof value !== 'string') {
        invalid(kind, value, 'principal values must be strings', kindPath);
        continue;
      }
      switch (kind) {
        case 'AWS': {
          if (value === '*') {
            any = true;
            break;
          }
          if (ACCOUNT_ID.test(value)) {
            accounts.add(value);
            break;
          }
          const root = ROOT_ARN.exec(value);
          if (root !== null) {
            accounts.add(root[1]);
            break;
          }
          if (value.includes('*') || value.includes('?')) {
            invalid(kind, value, 'principals cannot contain partial wildcards; use "*" with a condition on aws:PrincipalArn', kindPath);
            break;
          }
          if (IAM_IDENTITY_ARN.test(value) || STS_IDENTITY_ARN.test(value)) {
            arns.add(value);
            break;
          }
          invalid(kind, value, 'expected an account id, an account root ARN, or a user, role, assumed-role or federated-user ARN', kindPath);
          break;
        }
        case 'Service':
          if (SERVICE_NAME.test(value)) services.add(value);
          else invalid(kind, value, 'expected a service principal such as secretsmanager.amazonaws.com', kindPath);
          break;
        case 'Federated':
          if (FEDERATED.test(value)) federated.add(value);
          else invalid(kind, value, 'expected an identity provider such as cognito-identity.amazonaws.com or a SAML/OIDC provider ARN', kindPath);
          break;
        case 'CanonicalUser':
          if (/^[0-9a-f]{64}$/i.test(value)) canonicalUsers.add(value);
          else invalid(kind, value, 'expected a 64-hex-digit canonical user id', kindPath);
          break;
      }
    }
  }
  return { any, accounts, arns, services, federated, canonicalUsers };
}

/** Ranks for choosing the best match when several statements or entries apply. */
const RANK: Readonly<Record<PrincipalMatch, number>> = {
  none: 0,
  account: 1,
  role: 2,
  'federating-user': 2,
  any: 3,
  user: 3,
  'role-session': 3,
  'federated-user': 3,
  service: 3,
  federated: 3,
  'canonical-user': 3,
};

export function principalMatchRank(kind: PrincipalMatch): number {
  return RANK[kind];
}

/**
 * How (if at all) `principal` is named by a compiled Principal element; the strongest kind when
 * several of its identities are named.
 */
export function matchesPrincipal(element: CompiledPrincipal, principal: RequestPrincipal): PrincipalMatch {
  switch (principal.type) {
    case 'IAMUser':
      if (element.arns.has(principal.arn)) return 'user';
      break;
    case 'AssumedRole':
      if (element.arns.has(principal.arn)) return 'role-session';
      break;
    case 'FederatedUser':
      if (element.arns.has(principal.arn)) return 'federated-user';
      break;
    case 'Service':
      if (element.services.has(principal.arn)) return 'service';
      break;
    case 'WebIdentity':
      if (principal.provider !== undefined && element.federated.has(principal.provider)) return 'federated';
      break;
    case 'Root':
    case 'Anonymous':
      break;
  }
  if (principal.canonicalUserId !== undefined && element.canonicalUsers.has(principal.canonicalUserId)) return 'canonical-user';
  if (element.any) return 'any';
  if (principal.type === 'AssumedRole' && principal.roleArn !== undefined && element.arns.has(principal.roleArn)) return 'role';
  if (principal.type === 'FederatedUser' && principal.federatingUserArn !== undefined && element.arns.has(principal.federatingUserArn)) {
    return 'federating-user';
  }
  if (principal.accountId !== '' && element.accounts.has(principal.accountId) && hasAccount(principal)) return 'account';
  return 'none';
}

function hasAccount(principal: RequestPrincipal): boolean {
  return principal.type !== 'Service' && principal.type !== 'Anonymous' && principal.type !== 'WebIdentity';
}

/**
 * Is the caller exempt from a `NotPrincipal` element? AWS evaluates NotPrincipal against every
 * identity the request carries — the session or user *and* its account — so a principal is
 * exempt only when its own ARN (for a session: the session or its role) and its account are both
 * listed; listing just the user leaves the account, and so the user, denied (NOTPRIN).
 */
export function isExemptFromNotPrincipal(element: CompiledPrincipal, principal: RequestPrincipal): boolean {
  if (element.any) return true;
  switch (principal.type) {
    case 'Root':
      return element.accounts.has(principal.accountId);
    case 'IAMUser':
      return element.arns.has(principal.arn) && element.accounts.has(principal.accountId);
    case 'AssumedRole':
      return (
        (element.arns.has(principal.arn) || (principal.roleArn !== undefined && element.arns.has(principal.roleArn))) &&
        element.accounts.has(principal.accountId)
      );
    case 'FederatedUser':
      return (
        (element.arns.has(principal.arn) || (principal.federatingUserArn !== undefined && element.arns.has(principal.federatingUserArn))) &&
        element.accounts.has(principal.accountId)
      );
    case 'Service':
      return element.services.has(principal.arn);
    case 'WebIdentity':
      return principal.provider !== undefined && element.federated.has(principal.provider);
    case 'Anonymous':
      return false;
  }
}
