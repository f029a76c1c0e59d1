/**
 * The authorization decision (EVAL, DENYALLOW, XACCT, PB in shared/reference/iam-policy.md §1).
 *
 * Order:
 *  1. An explicit Deny that applies, in any policy (SCP, RCP, identity, resource, boundary,
 *     session) → ExplicitDeny.
 *  2. Every SCP level and every RCP level must have an Allow (they never grant).
 *  3. Service, anonymous and web-identity callers have no identity policies: only the resource
 *     policy can allow them.
 *  4. Cross-account: the caller's side (identity policy — or root —, boundary, session policy)
 *     and the resource policy must both allow.
 *  5. Same account: the root user is allowed. A resource-policy Allow naming the caller's user,
 *     session or federated-user ARN, or "*", is final; naming its role (or federating user) is
 *     final only if boundary and session policy allow; naming the account delegates to the
 *     identity side. Otherwise identity policy, boundary and session policy must all allow.
 *     Trust policies (and KMS key policies) must allow explicitly even in the same account.
 *
 * The function is synchronous and allocates only the result (and the matched-statement list):
 * all parsing happened when the policies were compiled.
 */
import { conditionsHold } from './conditions.ts';
import { arnView, matchActionSet, matchArn, type ArnView } from './match.ts';
import { isExemptFromNotPrincipal, matchesPrincipal, principalMatchRank, type PrincipalMatch } from './principal.ts';
import { ConditionContext } from './request-context.ts';
import type {
  CompiledPolicy,
  CompiledStatement,
  ContextValues,
  Decision,
  MatchedStatement,
  PolicyType,
  RequestPrincipal,
} from './policy-types.ts';

/** A compiled policy with the name it is reported under (policy ARN, `inline:<name>`, `resource`...). */
export interface PolicyRef {
  readonly id: string;
  readonly policy: CompiledPolicy;
}

export interface EvaluationInput {
  readonly principal: RequestPrincipal;
  /** `service:Action`, any case. */
  readonly action: string;
  /** The resource ARN (`*` for actions without a resource type, such as ListSecrets). */
  readonly resource: string;
  /** The account owning the resource; default: the ARN's account field, else the caller's account. */
  readonly resourceAccountId?: string;
  /** Condition keys. A prepared ConditionContext avoids normalising the keys per call. */
  readonly context?: ContextValues | ConditionContext;
  readonly identityPolicies?: readonly PolicyRef[];
  readonly resourcePolicy?: PolicyRef;
  readonly permissionsBoundary?: PolicyRef;
  /**
   * Session policies passed when the session was created (inline and managed; together they
   * form one filter). `undefined`: none was passed — a role session is then unrestricted, a
   * federated-user session has no permissions of its own.
   */
  readonly sessionPolicies?: readonly PolicyRef[];
  /** SCPs per organisation level, root first; each level needs an Allow. */
  readonly serviceControlPolicies?: readonly (readonly PolicyRef[])[];
  /** RCPs per organisation level, root first; each level needs an Allow. */
  readonly resourceControlPolicies?: readonly (readonly PolicyRef[])[];
  /** What the resource policy is called in denials; `role trust` for AssumeRole. */
  readonly resourcePolicyType?: 'resource-based' | 'role trust';
  /** The resource policy must allow even within the account (role trust policies, KMS key policies). */
  readonly resourcePolicyRequired?: boolean;
}

export interface EvaluationResult {
  readonly decision: Decision;
  /** Statements that applied (action, resource, principal and conditions all matched). */
  readonly matchedStatements: readonly MatchedStatement[];
  /** For denials: the policy type the AccessDenied message names. */
  readonly deniedBy?: PolicyType;
  readonly crossAccount: boolean;
  /** One line, for logs and explain tooling. */
  readonly reason: string;
}

const NONE: readonly (readonly PolicyRef[])[] = [];
const ALLOW = 1;
const DENY = 2;

/** Per-evaluation state shared by the policy scans; one object per call. */
interface Scan {
  readonly principal: RequestPrincipal;
  readonly action: string;
  readonly resource: ArnView;
  readonly ctx: ConditionContext;
  readonly hasBoundary: boolean;
  readonly matched: MatchedStatement[];
  /** Best principal match among applying resource-policy Allow statements. */
  bestGrant: PrincipalMatch;
}

const MAX_INDEXED_ACTIONS = 512;

/** The statements of `policy` whose Action/NotAction element covers `action` (lowercase). */
function statementsFor(policy: CompiledPolicy, action: string): readonly CompiledStatement[] {
  const index = policy.statementsByAction;
  const known = index.get(action);
  if (known !== undefined) return known;
  const list = policy.statements.filter((st) => matchActionSet(st.actions, action) !== st.notAction);
  if (index.size >= MAX_INDEXED_ACTIONS) index.clear();
  index.set(action, list);
  return list;
}

/** Which Allow/Deny statements of one policy apply; returns ALLOW | DENY bits. */
function scanPolicy(ref: PolicyRef, type: PolicyType, scan: Scan, namesPrincipal: boolean): number {
  const statements = statementsFor(ref.policy, scan.action);
  let result = 0;
  for (let i = 0; i < statements.length; i++) {
    const st: CompiledStatement = statements[i];
    if (st.resources !== undefined && matchesAnyResource(st, scan) === st.notResource) continue;
    let grant: PrincipalMatch = 'any';
    if (namesPrincipal) {
      const element = st.principal;
      if (element === undefined) continue;
      if (st.notPrincipal) {
        // PB: a Deny with NotPrincipal applies to every principal that has a permissions boundary,
        // whatever the list says.
        if (!(st.effect === 'Deny' && scan.hasBoundary) && isExemptFromNotPrincipal(element, scan.principal)) continue;
      } else {
        grant = matchesPrincipal(element, scan.principal);
        if (grant === 'none') continue;
      }
    }
    if (st.conditions.length > 0 && !conditionsHold(st.conditions, scan.ctx)) continue;
    scan.matched.push({ policyId: ref.id, policyType: type, sid: st.sid, index: st.index, effect: st.effect });
    if (st.effect === 'Deny') {
      result |= DENY;
    } else {
      result |= ALLOW;
      if (namesPrincipal && principalMatchRank(grant) > principalMatchRank(scan.bestGrant)) scan.bestGrant = grant;
    }
  }
  return result;
}

function matchesAnyResource(st: CompiledStatement, scan: Scan): boolean {
  const resources = st.resources as NonNullable<CompiledStatement['resources']>;
  for (let r = 0; r < resources.length; r++) if (matchArn(resources[r], scan.resource, scan.ctx)) return true;
  return false;
}

/** Actions come from a small fixed set; remembering their lowercase form saves an allocation per call. */
const loweredActions = new Map<string, string>();

function lowercaseAction(action: string): string {
  let lower = loweredActions.get(action);
  if (lower === undefined) {
    lower = action.toLowerCase();
    if (loweredActions.size > 4096) loweredActions.clear();
    loweredActions.set(action, lower);
  }
  return lower;
}

/** A context built from plain values, reused while the same values object is passed again. */
const builtContexts = new WeakMap<object, { principal: RequestPrincipal; ctx: ConditionContext }>();

function contextOf(input: EvaluationInput): ConditionContext {
  const given = input.context;
  if (given instanceof ConditionContext) return given;
  if (given === undefined) return ConditionContext.create(input.principal, undefined);
  const cached = builtContexts.get(given);
  if (cached !== undefined && cached.principal === input.principal) return cached.ctx;
  const ctx = ConditionContext.create(input.principal, given);
  builtContexts.set(given, { principal: input.principal, ctx });
  return ctx;
}

/** The account field of an ARN, or undefined when it has none (`*`, S3 buckets). */
export function arnAccount(arn: string): string | undefined {
  let pos = 0;
  for (let i = 0; i < 4; i++) {
    const colon = arn.indexOf(':', pos);
    if (colon < 0) return undefined;
    pos = colon + 1;
  }
  const end = arn.indexOf(':', pos);
  if (end < 0) return undefined;
  const account = arn.slice(pos, end);
  return account === '' ? undefined : account;
}

function result(decision: Decision, matched: MatchedStatement[], crossAccount: boolean, reason: string, deniedBy?: PolicyType): EvaluationResult {
  return deniedBy === undefined
    ? { decision, matchedStatements: matched, crossAccount, reason }
    : { decision, matchedStatements: matched, crossAccount, reason, deniedBy };
}

/** Decide whether `input.principal` may perform `input.action` on `input.resource`. */
export function evaluate(input: EvaluationInput): EvaluationResult {
  const principal = input.principal;
  const scan: Scan = {
    principal,
    action: lowercaseAction(input.action),
    resource: arnView(input.resource),
    ctx: contextOf(input),
    hasBoundary: input.permissionsBoundary !== undefined,
    matched: [],
    bestGrant: 'none',
  };
  const matched = scan.matched;
  const resourcePolicyType: PolicyType = input.resourcePolicyType ?? 'resource-based';
  const hasIdentity = principal.type !== 'Service' && principal.type !== 'Anonymous' && principal.type !== 'WebIdentity';
  let explicitDeny: PolicyType | undefined;

  let scpAllowed = true;
  for (const level of input.serviceControlPolicies ?? NONE) {
    let levelAllows = false;
    for (const ref of level) {
      const r = scanPolicy(ref, 'service control', scan, false);
      if (r & DENY) explicitDeny ??= 'service control';
      if (r & ALLOW) levelAllows = true;
    }
    if (!levelAllows) scpAllowed = false;
  }
  let rcpAllowed = true;
  for (const level of input.resourceControlPolicies ?? NONE) {
    let levelAllows = false;
    for (const ref of level) {
      // RCPs are written like resource policies (Principal "*" and conditions).
      const r = scanPolicy(ref, 'resource control', scan, ref.policy.kind !== 'identity');
      if (r & DENY) explicitDeny ??= 'resource control';
      if (r & ALLOW) levelAllows = true;
    }
    if (!levelAllows) rcpAllowed = false;
  }

  let identityAllows = false;
  if (hasIdentity && input.identityPolicies !== undefined) {
    const refs = input.identityPolicies;
    for (let i = 0; i < refs.length; i++) {
      const r = scanPolicy(refs[i], 'identity-based', scan, false);
      if (r & DENY) explicitDeny ??= 'identity-based';
      if (r & ALLOW) identityAllows = true;
    }
  }

  if (input.resourcePolicy !== undefined) {
    const r = scanPolicy(input.resourcePolicy, resourcePolicyType, scan, true);
    if (r & DENY) explicitDeny ??= resourcePolicyType;
  }
  const grantRank = principalMatchRank(scan.bestGrant);

  let boundaryAllows = true;
  if (hasIdentity && input.permissionsBoundary !== undefined) {
    const r = scanPolicy(input.permissionsBoundary, 'permissions boundary', scan, false);
    if (r & DENY) explicitDeny ??= 'permissions boundary';
    boundaryAllows = (r & ALLOW) !== 0;
  }

  // Without a session policy a role session keeps the role's permissions; a federated-user
  // session (GetFederationToken) has none of its own (EVAL).
  let sessionAllows = principal.type !== 'FederatedUser';
  if (hasIdentity && input.sessionPolicies !== undefined) {
    sessionAllows = false;
    for (const ref of input.sessionPolicies) {
      const r = scanPolicy(ref, 'session', scan, false);
      if (r & DENY) explicitDeny ??= 'session';
      if (r & ALLOW) sessionAllows = true;
    }
  }

  const resourceAccount = input.resourceAccountId ?? arnAccount(input.resource) ?? principal.accountId;
  const crossAccount = hasIdentity && resourceAccount !== principal.accountId;

  if (explicitDeny !== undefined) return result('ExplicitDeny', matched, crossAccount, 'explicit deny', explicitDeny);
  if (!scpAllowed) return result('ImplicitDeny', matched, crossAccount, 'no service control policy allows', 'service control');
  if (!rcpAllowed) return result('ImplicitDeny', matched, crossAccount, 'no resource control policy allows', 'resource control');

  if (!hasIdentity) {
    return grantRank > 0
      ? result('Allow', matched, false, 'the resource (or trust) policy allows the principal')
      : result('ImplicitDeny', matched, false, 'no resource (or trust) policy allows', resourcePolicyType);
  }

  const isRoot = principal.type === 'Root';
  const callerSideAllows = isRoot || identityAllows;

  if (crossAccount) {
    if (!callerSideAllows) return result('ImplicitDeny', matched, true, 'cross-account: no identity-based policy allows', 'identity-based');
    if (!boundaryAllows) return result('ImplicitDeny', matched, true, 'cross-account: the permissions boundary does not allow', 'permissions boundary');
    if (!sessionAllows) return result('ImplicitDeny', matched, true, 'cross-account: the session policy does not allow', 'session');
    if (grantRank === 0) return result('ImplicitDeny', matched, true, 'cross-account: no resource (or trust) policy allows', resourcePolicyType);
    return result('Allow', matched, true, 'cross-account: both the identity side and the resource policy allow');
  }

  if (input.resourcePolicyRequired === true && grantRank === 0) {
    return result('ImplicitDeny', matched, false, 'the trust (or key) policy must allow explicitly', resourcePolicyType);
  }
  if (isRoot && input.resourcePolicyRequired !== true) return result('Allow', matched, false, 'the root user has full access in its own account');
  // Rank 3: user / session / federated-user ARN or "*": final. Rank 2: role or federating user:
  // limited by boundary and session policy. Rank 1: the account: delegates to identity policies.
  if (grantRank === 3) return result('Allow', matched, false, 'the resource (or trust) policy names the caller');
  if (grantRank === 2 && boundaryAllows && sessionAllows) {
    return result('Allow', matched, false, 'the resource (or trust) policy names the caller\'s role, and boundary and session policy allow');
  }
  if (grantRank === 2 || callerSideAllows) {
    if (!boundaryAllows) return result('ImplicitDeny', matched, false, 'the permissions boundary does not allow', 'permissions boundary');
    if (!sessionAllows) return result('ImplicitDeny', matched, false, 'the session policy does not allow', 'session');
  }
  if (!callerSideAllows) return result('ImplicitDeny', matched, false, 'no identity-based policy allows', 'identity-based');
  return result('Allow', matched, false, 'an identity-based policy allows');
}

export interface TrustEvaluationInput extends Omit<EvaluationInput, 'action' | 'resource' | 'resourcePolicy' | 'resourcePolicyType' | 'resourcePolicyRequired'> {
  /** The role being assumed. */
  readonly roleArn: string;
  readonly trustPolicy: PolicyRef;
  /** Default `sts:AssumeRole`; also `sts:AssumeRoleWithWebIdentity`, `sts:AssumeRoleWithSAML`, `sts:TagSession`. */
  readonly action?: string;
}

/**
 * Role assumption: the trust policy is the role's resource policy and must explicitly allow the
 * caller or its account even in the same account (naming the account delegates to the caller's
 * identity policies); cross-account, the caller's identity policy must also allow.
 */
export function evaluateTrust(input: TrustEvaluationInput): EvaluationResult {
  return evaluate({
    ...input,
    action: input.action ?? 'sts:AssumeRole',
    resource: input.roleArn,
    resourcePolicy: input.trustPolicy,
    resourcePolicyType: 'role trust',
    resourcePolicyRequired: true,
  });
}

const POLICY_NOUN: Readonly<Record<PolicyType, string>> = {
  'identity-based': 'identity-based policy',
  'resource-based': 'resource-based policy',
  'permissions boundary': 'permissions boundary',
  session: 'session policy',
  'service control': 'service control policy',
  'resource control': 'resource control policy',
  'role trust': 'role trust policy',
};

/**
 * AWS's AccessDenied text (DENYMSG):
 * `User: <arn> is not authorized to perform: <action> on resource: <arn> because no identity-based
 * policy allows the <action> action`, or `... with an explicit deny in an identity-based policy`.
 */
export function accessDeniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  outcome: Pick<EvaluationResult, 'decision' | 'deniedBy'>,
): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  const type = outcome.deniedBy ?? 'identity-based';
  const noun = POLICY_NOUN[type];
  if (outcome.decision === 'ExplicitDeny') {
    if (type === 'role trust') return `${head} with an explicit deny in the role trust policy`;
    return `${head} with an explicit deny in ${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
  }
  return `${head} because no ${noun} allows the ${action} action`;
}
