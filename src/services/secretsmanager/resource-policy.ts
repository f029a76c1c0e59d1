/**
 * Resource policies on secrets: checked on write (PutResourcePolicy) and reported on by
 * ValidateResourcePolicy. The grammar is the IAM policy language's, so the document is
 * parsed by `src/iam` exactly as the evaluator will read it; evaluation itself happens in
 * the authorization hook.
 *
 * ValidateResourcePolicy runs AWS's checks: syntax, and "broad access" (Zelkova in AWS;
 * here a structural reading: an Allow for any principal that no condition narrows to known
 * callers). AWS's CheckName values and the PublicPolicyException text are not documented
 * anywhere we could find, so ours are descriptive.
 */
import { AwsError } from '../../errors.ts';
import { parsePolicy, policyErrorMessage, validatePolicy, type CompiledPolicy, type PolicyFinding } from '../../iam/index.ts';

export interface ValidationFinding {
  CheckName: string;
  ErrorMessage: string;
}

const SYNTAX_CHECK = 'SYNTAX_CHECK';
const BROAD_ACCESS_CHECK = 'BROAD_ACCESS_CHECK';

/**
 * Condition keys that tie a request to specific callers or networks: an Allow for `"*"`
 * with one of these under a positive operator and a concrete value is not public.
 */
const NARROWING_KEYS = new Set([
  'aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:principalorgpaths',
  'aws:principalservicename', 'aws:userid', 'aws:username',
  'aws:sourceaccount', 'aws:sourcearn', 'aws:sourceowner', 'aws:sourceorgid', 'aws:sourceorgpaths',
  'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceip',
]);

/** Findings as ValidateResourcePolicy reports them: syntax errors first, then broad access. */
export function resourcePolicyFindings(text: string): ValidationFinding[] {
  const errors = validatePolicy(text, 'resource').filter((f) => f.severity === 'error');
  if (errors.length > 0) return errors.map((f) => ({ CheckName: SYNTAX_CHECK, ErrorMessage: findingMessage(f) }));
  return broadAccessStatements(parsePolicy(text, { kind: 'resource', strict: false })).map((where) => ({
    CheckName: BROAD_ACCESS_CHECK,
    ErrorMessage: `${where} allows broad access to the secret: it grants access to any principal ("*") and no condition limits it to specific accounts, principals, organizations or networks.`,
  }));
}

/**
 * PutResourcePolicy's check: a malformed document → MalformedPolicyDocumentException; with
 * BlockPublicPolicy, a document granting broad access → PublicPolicyException.
 */
export function checkResourcePolicy(text: string, opts: { blockPublic: boolean }): void {
  const policy = parsePolicy(text, { kind: 'resource', errorCode: 'MalformedPolicyDocumentException' });
  if (!opts.blockPublic) return;
  const broad = broadAccessStatements(policy);
  if (broad.length > 0) {
    throw new AwsError('PublicPolicyException',
      `The BlockPublicPolicy parameter is set to true, and the resource policy grants broad access to the secret (${broad.join(', ')}). Limit the principals, or add a condition such as aws:PrincipalAccount or aws:PrincipalOrgID.`);
  }
}

/** AWS's wording where the parser knows it, with the location so a person can find it. */
function findingMessage(f: PolicyFinding): string {
  const aws = policyErrorMessage(f);
  const detail = f.path === '' ? f.message : `${f.path}: ${f.message}`;
  return aws === detail ? aws : `${aws} (${detail})`;
}

/** Where (`Statement[i]`) the policy allows any principal without a narrowing condition. */
function broadAccessStatements(policy: CompiledPolicy): string[] {
  const raw = (policy.document as { Statement?: unknown }).Statement;
  const rawStatements = Array.isArray(raw) ? raw : [raw];
  const out: string[] = [];
  for (const st of policy.statements) {
    if (st.effect !== 'Allow' || !st.principal) continue;
    // NotPrincipal with Allow grants everyone except the named principals.
    const anyone = st.notPrincipal || st.principal.any;
    if (!anyone) continue;
    const condition = (rawStatements[st.index] as { Condition?: unknown } | undefined)?.Condition;
    if (narrowsCallers(condition)) continue;
    out.push(Array.isArray(raw) ? `Statement[${st.index}]` : 'Statement');
  }
  return out;
}

function narrowsCallers(condition: unknown): boolean {
  if (typeof condition !== 'object' || condition === null) return false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    // Negated operators, IfExists (absent key passes) and Null say nothing about who calls.
    if (/Not|IfExists$|^Null$|ForAllValues:/.test(operator)) continue;
    if (typeof block !== 'object' || block === null) continue;
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      if (!NARROWING_KEYS.has(key.toLowerCase())) continue;
      const list = Array.isArray(values) ? values : [values];
      if (list.length > 0 && list.every((v) => typeof v === 'string' && v !== '*' && v !== '')) return true;
    }
  }
  return false;
}
