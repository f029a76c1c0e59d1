/** Collects validation findings while a policy is compiled, and turns them into the thrown error. */
import { AwsError } from '../errors.ts';
import type { FindingSeverity, PolicyFinding } from './policy-types.ts';

export class FindingSink {
  readonly findings: PolicyFinding[] = [];

  error(check: string, path: string, message: string, awsMessage?: string): void {
    this.add('error', check, path, message, awsMessage);
  }

  warning(check: string, path: string, message: string): void {
    this.add('warning', check, path, message, undefined);
  }

  private add(severity: FindingSeverity, check: string, path: string, message: string, awsMessage: string | undefined): void {
    this.findings.push(awsMessage === undefined ? { severity, check, path, message } : { severity, check, path, message, awsMessage });
  }

  firstError(): PolicyFinding | undefined {
    return this.findings.find((f) => f.severity === 'error');
  }
}

/**
 * The error a rejected policy document raises. `code` defaults to IAM's
 * `MalformedPolicyDocument`; services re-map it (Secrets Manager: `MalformedPolicyDocumentException`).
 * All findings ride along for ValidateResourcePolicy-style reporting.
 */
export class PolicyValidationError extends AwsError {
  readonly findings: readonly PolicyFinding[];
  readonly finding: PolicyFinding;

  constructor(finding: PolicyFinding, findings: readonly PolicyFinding[], code = 'MalformedPolicyDocument') {
    super(code, policyErrorMessage(finding));
    this.finding = finding;
    this.findings = findings;
  }
}

/** AWS's own text where we know it, otherwise `<path>: <message>` so the user can find the element. */
export function policyErrorMessage(finding: PolicyFinding): string {
  if (finding.awsMessage !== undefined) return finding.awsMessage;
  return finding.path === '' ? finding.message : `${finding.path}: ${finding.message}`;
}

/** `Statement[0].Condition.StringEquals["aws:SourceAccount"]` */
export function keyPath(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
