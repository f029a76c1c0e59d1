/**
 * Where the authorizer gets a principal's policies from. The IAM service implements it over
 * its tables (`loadPrincipalPolicies`); tests use `staticPolicySource`. Documents are the text
 * stored by IAM/STS; the authorizer compiles them once and caches the compiled set.
 */
import type { Principal } from './principal.ts';

/** One policy document and the name a denial or an explanation reports it under. */
export interface PolicyText {
  /** Policy ARN for managed policies, `user/<name>/<policy>`-style names for inline ones. */
  id: string;
  document: string;
}

export interface PrincipalPolicies {
  /** Inline and attached policies of the user (and its groups) or of the session's role. */
  identityPolicies: PolicyText[];
  permissionsBoundary?: PolicyText;
  /**
   * Session policies passed to AssumeRole/GetFederationToken (inline and managed together
   * form one filter). Undefined when none was passed.
   */
  sessionPolicies?: PolicyText[];
  /** The user's or role's own tags (`aws:PrincipalTag/…`); session tags come on the principal. */
  tags?: Record<string, string>;
}

export interface PolicySource {
  policiesOf(principal: Principal): Promise<PrincipalPolicies>;
}

export const NO_POLICIES: PrincipalPolicies = { identityPolicies: [] };

/** A fixed map from principal ARN (or access key id) to policies: for tests and tooling. */
export function staticPolicySource(byPrincipal: Record<string, PrincipalPolicies>): PolicySource & { loads: number } {
  const source = {
    loads: 0,
    async policiesOf(principal: Principal): Promise<PrincipalPolicies> {
      source.loads++;
      return byPrincipal[principal.accessKeyId] ?? byPrincipal[principal.arn] ?? NO_POLICIES;
    },
  };
  return source;
}
