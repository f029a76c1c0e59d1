/**
 * The documents `coffer rotation setup` creates, as the seed documents (shared/seeds/001) give
 * them: the execution role's inline policy (single user or alternating users, plus the KMS
 * statement for a customer managed key), the Lambda trust policy, and the function's resource
 * policy statement. The policy texts are the seeds' verbatim; only the placeholders
 * (`SecretARN`, `LambdaRotationFunctionARN`, `SeparateSecretARN`, `111122223333`) are filled in,
 * so what a user reads in AWS's guide is what coffer attaches (docs/rotation.md quotes them).
 */
import { S001_ALTERNATING, S001_KMS_STATEMENT, S001_SINGLE_USER } from '../iam/seed-examples.ts';

// The seed texts live once, in src/iam/seed-examples.ts (the seed tests quote the same constants).
const SINGLE_USER = S001_SINGLE_USER;
const ALTERNATING_USERS = S001_ALTERNATING;
const KMS_STATEMENT = S001_KMS_STATEMENT;

/** Lambda's execution-role trust policy: only the Lambda service may assume the role. */
export const LAMBDA_TRUST_POLICY = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Service": "lambda.amazonaws.com"
            },
            "Action": "sts:AssumeRole"
        }
    ]
}`;

export interface RolePolicyInput {
  secretArn: string;
  functionArn: string;
  accountId: string;
  /** Alternating users: the master secret the function signs in with. */
  masterSecretArn?: string;
  /** The secret is encrypted under a customer managed key: add the KMS statement. */
  customerManagedKey: boolean;
}

/** The execution role's inline policy, as text (what PutRolePolicy sends and the docs quote). */
export function rotationRolePolicy(input: RolePolicyInput): string {
  let text = (input.masterSecretArn !== undefined ? ALTERNATING_USERS : SINGLE_USER)
    .replace('"SecretARN"', JSON.stringify(input.secretArn))
    .replace('"LambdaRotationFunctionARN"', JSON.stringify(input.functionArn))
    .replace('"111122223333"', JSON.stringify(input.accountId));
  if (input.masterSecretArn !== undefined) text = text.replace('"SeparateSecretARN"', JSON.stringify(input.masterSecretArn));
  if (input.customerManagedKey) {
    // The seed gives the statement "to add to the execution role policy": the last one.
    const end = text.lastIndexOf('\n    ]\n}');
    text = `${text.slice(0, end)},\n${KMS_STATEMENT}${text.slice(end)}`;
  }
  return text;
}

/** The statement id of the function's resource-policy statement for Secrets Manager. */
export const INVOKE_STATEMENT_ID = 'SecretsManagerRotationInvoke';

/**
 * AddPermission's input for seed 001's "Lambda function resource policy": Secrets Manager
 * may invoke the function for secrets of this account only (`aws:SourceAccount`, no
 * `aws:SourceArn`, as the seed recommends, so one function may rotate several secrets).
 */
export function invokePermission(functionName: string, accountId: string) {
  return {
    FunctionName: functionName,
    StatementId: INVOKE_STATEMENT_ID,
    Action: 'lambda:InvokeFunction',
    Principal: 'secretsmanager.amazonaws.com',
    SourceAccount: accountId,
  };
}

/** Whether a statement of GetPolicy's document is the one `invokePermission` adds. */
export function isInvokeStatement(statement: unknown, functionArn: string, accountId: string): boolean {
  if (!statement || typeof statement !== 'object') return false;
  const s = statement as Record<string, any>;
  const actions = ([] as unknown[]).concat(s.Action ?? []);
  const condition = s.Condition?.StringEquals ?? {};
  const sourceAccount = condition['AWS:SourceAccount'] ?? condition['aws:SourceAccount'];
  return s.Effect === 'Allow'
    && s.Principal?.Service === 'secretsmanager.amazonaws.com'
    && actions.length === 1 && actions[0] === 'lambda:InvokeFunction'
    && s.Resource === functionArn
    && sourceAccount === accountId
    && Object.keys(s.Condition ?? {}).length === 1 && Object.keys(condition).length === 1;
}

/** Policy documents compared as JSON values (IAM returns them reformatted and URL-encoded). */
export function samePolicy(a: string, b: string): boolean {
  const parse = (text: string) => {
    try {
      return JSON.parse(text.trimStart().startsWith('%7B') || text.includes('%22') ? decodeURIComponent(text) : text);
    } catch {
      return undefined;
    }
  };
  return canonical(parse(a)) === canonical(parse(b)) && parse(a) !== undefined;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
