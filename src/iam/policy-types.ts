/**
 * Types at the boundary of the policy engine: the JSON shape of a policy document as users
 * write it, the compiled form the evaluator walks, and the request an evaluation is asked about.
 *
 * The compiled types are opaque in spirit: callers get them from `parsePolicy` /
 * `compilePolicyCached` and hand them back to `evaluate`; only `findings`, `statements[i].sid`
 * and `document` are meant to be read by other layers.
 */
import type { ActionSet, ArnPattern } from './match.ts';
import type { CompiledCondition } from './conditions.ts';
import type { CompiledPrincipal } from './principal.ts';

// ---------------------------------------------------------------------------------------------
// The document as written (after JSON.parse). Everything may be a single value or an array.

export type OneOrMany<T> = T | readonly T[];

export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** `Principal` / `NotPrincipal`: `"*"` or a map of principal kinds to one or many values. */
export type PrincipalElement =
  | '*'
  | {
      readonly AWS?: OneOrMany<string>;
      readonly Service?: OneOrMany<string>;
      readonly Federated?: OneOrMany<string>;
      readonly CanonicalUser?: OneOrMany<string>;
    };

/** A value in a condition block. AWS accepts JSON booleans and numbers and compares their text. */
export type ConditionValue = string | number | boolean;

/** `{ operator: { key: value | [values] } }` */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, OneOrMany<ConditionValue>>>>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: OneOrMany<string>;
  readonly NotAction?: OneOrMany<string>;
  readonly Resource?: OneOrMany<string>;
  readonly NotResource?: OneOrMany<string>;
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: OneOrMany<PolicyStatement>;
}

/**
 * What a policy is attached to decides its grammar: identity policies (and permissions
 * boundaries, session policies, SCPs, RCPs... which share their grammar) may not name a
 * principal; resource policies must; role trust policies must name a principal and have no
 * Resource.
 */
export type PolicyKind = 'identity' | 'resource' | 'trust';

// ---------------------------------------------------------------------------------------------
// Validation findings

export type FindingSeverity = 'error' | 'warning';

export interface PolicyFinding {
  /** `error`: AWS rejects the document on write (strict parsing throws); `warning`: accepted but suspect. */
  readonly severity: FindingSeverity;
  /** Where in the document, e.g. `Statement[1].Condition.StringEquals["aws:SourceAccount"]`. */
  readonly path: string;
  /** A message a person can act on. */
  readonly message: string;
  /** AWS's own wording for this error, when known; used as the thrown message. */
  readonly awsMessage?: string;
  /** A short stable identifier, e.g. `UNKNOWN_OPERATOR`, for tests and ValidateResourcePolicy. */
  readonly check: string;
}

// ---------------------------------------------------------------------------------------------
// The request being authorized

/** How the caller authenticated; decides which principal ARNs in a resource policy name it. */
export type PrincipalType =
  | 'Root' // the account root user, arn:aws:iam::A:root
  | 'IAMUser' // arn:aws:iam::A:user/path/name
  | 'AssumedRole' // arn:aws:sts::A:assumed-role/role/session, with roleArn
  | 'FederatedUser' // arn:aws:sts::A:federated-user/name (GetFederationToken), with federatingUserArn
  | 'Service' // a service principal such as secretsmanager.amazonaws.com; arn = that name
  | 'WebIdentity' // AssumeRoleWithWebIdentity / SAML caller, before it has a session; provider = IdP
  | 'Anonymous'; // unsigned request

export interface RequestPrincipal {
  readonly type: PrincipalType;
  /** The caller's ARN (for a Service, the service principal name). */
  readonly arn: string;
  /** The caller's account. Empty for Service / Anonymous. */
  readonly accountId: string;
  /** For AssumedRole: `arn:aws:iam::A:role/path/name`; this is `aws:PrincipalArn` for sessions. */
  readonly roleArn?: string;
  /** For FederatedUser: the IAM user whose credentials called GetFederationToken. */
  readonly federatingUserArn?: string;
  /** For WebIdentity: the identity provider, e.g. `cognito-identity.amazonaws.com` or a SAML provider ARN. */
  readonly provider?: string;
  /** S3-style canonical user id, if the caller has one. */
  readonly canonicalUserId?: string;
  /** `aws:userid`: user id, `ROLEID:session` for sessions, account id for root. */
  readonly userId?: string;
  /** `aws:username`, IAM users only. */
  readonly username?: string;
  /** Principal tags (user/role tags merged with session tags), `aws:PrincipalTag/<key>`. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A condition-key value as the auth and service layers produce it. Booleans and numbers are
 * compared by their text, as AWS does; arrays are multivalued keys (`aws:TagKeys`) or the label
 * set of a secret version (`secretsmanager:VersionStage`); `undefined` means absent.
 */
export type ContextValue = string | readonly string[] | boolean | number | undefined;

/** Condition keys → values. Keys are case-insensitive; they are lowercased once when the context is built. */
export type ContextValues = Readonly<Record<string, ContextValue>>;

// ---------------------------------------------------------------------------------------------
// Results

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** The policy type a denial is attributed to; the words AWS uses in AccessDenied messages. */
export type PolicyType =
  | 'identity-based'
  | 'resource-based'
  | 'permissions boundary'
  | 'session'
  | 'service control'
  | 'resource control'
  | 'role trust';

export interface MatchedStatement {
  /** The id the caller gave the policy (policy ARN, `inline:<name>`, `resource`, ...). */
  readonly policyId: string;
  readonly policyType: PolicyType;
  readonly sid: string | undefined;
  /** Index of the statement in the policy's `Statement` list. */
  readonly index: number;
  readonly effect: 'Allow' | 'Deny';
}

// ---------------------------------------------------------------------------------------------
// The compiled form (built by parse-policy.ts, walked by evaluate.ts)


export interface CompiledStatement {
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: ActionSet;
  /** The statement used NotAction: it applies to actions *not* in `actions`. */
  readonly notAction: boolean;
  /** Undefined when the statement has no Resource element (trust policies): every resource. */
  readonly resources: readonly ArnPattern[] | undefined;
  readonly notResource: boolean;
  /** Resource and trust policies only; undefined in identity policies. */
  readonly principal: CompiledPrincipal | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
}

export interface CompiledPolicy {
  readonly kind: PolicyKind;
  /** Undefined when the document has no Version (AWS then applies 2008-10-17 rules). */
  readonly version: string | undefined;
  readonly id: string | undefined;
  readonly statements: readonly CompiledStatement[];
  readonly findings: readonly PolicyFinding[];
  /** The parsed JSON, for echoing back (GetResourcePolicy) and tooling. */
  readonly document: unknown;
  /**
   * Statements whose Action/NotAction covers a (lowercased) action, filled lazily by the
   * evaluator: services call a small fixed set of actions, so after warm-up evaluation skips
   * action matching entirely. Bounded; internal to evaluate.ts.
   */
  readonly statementsByAction: Map<string, readonly CompiledStatement[]>;
}
