/** The policy engine's public surface; see docs/policy-engine.md. */
export { parsePolicy, compilePolicyDocument, validatePolicy, type ParseOptions } from './parse-policy.ts';
export { compilePolicyCached, PolicyCache, defaultPolicyCache } from './policy-cache.ts';
export { evaluate, evaluateTrust, accessDeniedMessage, arnAccount, type EvaluationInput, type EvaluationResult, type PolicyRef, type TrustEvaluationInput } from './evaluate.ts';
export { ConditionContext } from './request-context.ts';
export { matchesPrincipal, isExemptFromNotPrincipal, type PrincipalMatch } from './principal.ts';
export { wildcardMatch } from './match.ts';
export { CONDITION_OPERATORS } from './conditions.ts';
export { PolicyValidationError, policyErrorMessage } from './findings.ts';
export type * from './policy-types.ts';
