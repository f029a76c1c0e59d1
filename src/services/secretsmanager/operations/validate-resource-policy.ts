/**
 * ValidateResourcePolicy: what PutResourcePolicy would think of a policy, without storing it.
 * AWS runs three checks (API reference): correct syntax, no broad access (Zelkova), and that
 * the policy "does not lock out a caller". The answer is AWS's shape,
 * `{PolicyValidationPassed, ValidationErrors: [{CheckName, ErrorMessage}]}`; a policy that fails
 * is a 200 answer with findings, never an error. Needs secretsmanager:ValidateResourcePolicy and
 * secretsmanager:PutResourcePolicy, as AWS documents.
 *
 * AWS documents no CheckName values, so each finding is named by the check that made it, in
 * the policy engine's vocabulary (after IAM Access Analyzer's, as ../shared/reference/iam-policy.md
 * proposes), and its ErrorMessage gives AWS's wording where known and the element at fault:
 * - syntax: every error the engine finds (`UNKNOWN_ELEMENT` for a `{"Policy": …}` wrapper,
 *   `MISSING_PRINCIPAL`, `RESOURCE_FORMAT` for a placeholder left in, …);
 * - statements that cannot do what they say, which AWS stores but which match nothing: an action
 *   Secrets Manager does not have (`UNDEFINED_ACTION`, seed 003's `secretsmanager:GetSecret`), a
 *   secret ARN without its six-character suffix (`SECRET_ARN_WITHOUT_SUFFIX`, seed 003's master
 *   secret), placeholders in the region or account of an ARN;
 * - `BROAD_ACCESS`: an Allow for any principal that no condition narrows (the rule BlockPublicPolicy
 *   applies, src/services/secretsmanager/resource-policy.ts);
 * - `LOCKOUT`: an explicit Deny of the caller's own secretsmanager:PutResourcePolicy or
 *   DeleteResourcePolicy on the secret (on `*` when no SecretId is given): with it in place the
 *   caller could not change or remove the policy again.
 */
import { operation } from '../../../protocol/operation.ts';
import type { RequestContext } from '../../../auth/request-context.ts';
import { globalConditionKeys } from '../../../auth/authorize.ts';
import { requestPrincipal } from '../../../auth/principal-policy-cache.ts';
import {
  ConditionContext, evaluate, parsePolicy, policyErrorMessage, validatePolicy, type CompiledPolicy, type PolicyFinding,
} from '../../../iam/index.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, secretAuthorization } from '../lookup.ts';
import { broadAccessStatements } from '../resource-policy.ts';

export interface ValidationFinding {
  CheckName: string;
  ErrorMessage: string;
}

/** Warnings that mean a statement matches nothing it names: reported, and the policy fails. */
const INEFFECTIVE = new Set([
  'UNDEFINED_ACTION', 'EMPTY_ACTION', 'ARN_REGION_FORMAT', 'ARN_ACCOUNT_FORMAT', 'SECRET_ARN_EMPTY_FIELD', 'SECRET_ARN_WITHOUT_SUFFIX',
]);

/** AWS's wording where the engine knows it, with the element at fault so a person can find it. */
function findingMessage(f: PolicyFinding): string {
  const aws = policyErrorMessage(f);
  const detail = f.path === '' ? f.message : `${f.path}: ${f.message}`;
  return aws === detail ? aws : `${aws} (${detail})`;
}

const where = (policy: CompiledPolicy, index: number) => (Array.isArray((policy.document as { Statement?: unknown }).Statement) ? `Statement[${index}]` : 'Statement');

/** The caller's own Put/DeleteResourcePolicy, explicitly denied by this policy. */
function lockoutFindings(ctx: RequestContext, policy: CompiledPolicy, resource: string, resourceAccountId: string): ValidationFinding[] {
  const principal = requestPrincipal(ctx.principal, undefined);
  const context = ConditionContext.create(principal, globalConditionKeys(ctx));
  const out: ValidationFinding[] = [];
  for (const action of ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy']) {
    const result = evaluate({
      principal, action, resource, resourceAccountId, context,
      identityPolicies: [], resourcePolicy: { id: 'ResourcePolicy', policy },
    });
    if (result.decision !== 'ExplicitDeny') continue;
    const deny = result.matchedStatements.find((m) => m.effect === 'Deny' && m.policyType === 'resource-based');
    out.push({
      CheckName: 'LOCKOUT',
      ErrorMessage: `${deny ? where(policy, deny.index) : 'The policy'} denies ${ctx.principal.arn} ${action} on ${resource}: with this policy in place the caller could not change or remove it.`,
    });
  }
  return out;
}

/** Findings as ValidateResourcePolicy reports them: syntax errors; otherwise ineffective statements, broad access and lock-out. */
export function resourcePolicyFindings(ctx: RequestContext, text: string, secretArn: string | undefined): ValidationFinding[] {
  const findings = validatePolicy(text, 'resource');
  const errors = findings.filter((f) => f.severity === 'error');
  // A document that does not compile cannot be read for access: its syntax is the finding.
  if (errors.length > 0) return errors.map((f) => ({ CheckName: f.check, ErrorMessage: findingMessage(f) }));
  const out: ValidationFinding[] = findings
    .filter((f) => INEFFECTIVE.has(f.check))
    .map((f) => ({ CheckName: f.check, ErrorMessage: findingMessage(f) }));
  const policy = parsePolicy(text, { kind: 'resource', strict: false });
  for (const statement of broadAccessStatements(policy)) {
    out.push({
      CheckName: 'BROAD_ACCESS',
      ErrorMessage: `${statement} allows broad access to the secret: it grants access to any principal ("*") and no condition limits it to specific accounts, principals, organizations or networks.`,
    });
  }
  out.push(...lockoutFindings(ctx, policy, secretArn ?? '*', ctx.principal.accountId));
  return out;
}

interface ValidateResourcePolicyInput {
  SecretId?: string;
  ResourcePolicy: string;
}

export const validateResourcePolicy = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: ValidateResourcePolicyInput) {
    const secret = input.SecretId === undefined ? undefined : await findSecret(deps, ctx, input.SecretId);
    // AWS requires PutResourcePolicy as well: validating is the first half of putting.
    const authorization = input.SecretId === undefined
      ? ['ValidateResourcePolicy', 'PutResourcePolicy'].map((action) => ({ action: `secretsmanager:${action}`, resource: '*' }))
      : ['ValidateResourcePolicy', 'PutResourcePolicy'].map((action) => secretAuthorization(ctx, action, input.SecretId!, secret));
    return { authorization, state: secret };
  },
  async run(ctx, input: ValidateResourcePolicyInput, found) {
    const secret = input.SecretId !== undefined ? requireSecret(found) : undefined;
    const errors = resourcePolicyFindings(ctx, input.ResourcePolicy, secret?.arn);
    return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
  },
});
