/**
 * Resource policies on secrets: syntax checked on write, and ValidateResourcePolicy's
 * findings. Evaluation of the policy happens in the authorization hook (IAM issue).
 */
import { AwsError } from '../../errors.ts';

export interface ValidationFinding {
  CheckName: string;
  ErrorMessage: string;
}

export const MAX_POLICY_LENGTH = 20_480;

/** Structural problems of a resource policy document, as ValidateResourcePolicy reports them. */
export function resourcePolicyFindings(text: string, _accountId: string): ValidationFinding[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [{ CheckName: 'SYNTAX_CHECK', ErrorMessage: 'This resource policy contains a syntax error: the document is not valid JSON.' }];
  }
  const findings: ValidationFinding[] = [];
  const add = (m: string) => findings.push({ CheckName: 'SYNTAX_CHECK', ErrorMessage: m });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    add('This resource policy contains a syntax error: the document must be a JSON object.');
    return findings;
  }
  const policy = doc as Record<string, unknown>;
  if (policy.Version !== undefined && policy.Version !== '2012-10-17' && policy.Version !== '2008-10-17') {
    add(`This resource policy contains a syntax error: Version must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(policy.Version)}.`);
  }
  const statements = policy.Statement === undefined ? undefined : Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  if (!statements) {
    add('This resource policy contains a syntax error: Statement is missing.');
    return findings;
  }
  statements.forEach((s, i) => {
    const where = `Statement[${i}]`;
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return add(`This resource policy contains a syntax error: ${where} must be an object.`);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') add(`This resource policy contains a syntax error: ${where}.Effect must be "Allow" or "Deny".`);
    if (st.Principal === undefined && st.NotPrincipal === undefined) add(`This resource policy contains a syntax error: ${where} is missing Principal.`);
    if (st.Action === undefined && st.NotAction === undefined) add(`This resource policy contains a syntax error: ${where} is missing Action.`);
    if (st.Resource === undefined && st.NotResource === undefined) add(`This resource policy contains a syntax error: ${where} is missing Resource.`);
  });
  return findings;
}

/** PutResourcePolicy's check: a malformed document is refused with AWS's error. */
export function checkResourcePolicy(text: string, opts: { blockPublic: boolean; accountId: string }): void {
  const findings = resourcePolicyFindings(text, opts.accountId);
  if (findings.length) throw new AwsError('MalformedPolicyDocumentException', findings[0]!.ErrorMessage);
}
