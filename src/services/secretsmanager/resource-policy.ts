/**
 * Resource policies on secrets: checked on write (PutResourcePolicy) and reported on by
 * ValidateResourcePolicy (operations/validate-resource-policy.ts). The grammar is the IAM
 * policy language's, so the document is parsed by `src/iam` exactly as the evaluator will read
 * it; evaluation itself happens in the authorization hook.
 *
 * "Broad access" (Zelkova in AWS) is read structurally here: an Allow for any principal that
 * no condition narrows to known callers. The PublicPolicyException text is not documented
 * anywhere we could find, so ours is descriptive.
 */
import { AwsError } from '../../errors.ts';
import { parsePolicy, type CompiledPolicy } from '../../iam/index.ts';

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

/** Where (`Statement[i]`) the policy allows any principal without a narrowing condition. */
export function broadAccessStatements(policy: CompiledPolicy): string[] {
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
