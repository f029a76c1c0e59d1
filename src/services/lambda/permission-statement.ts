/**
 * The statement AddPermission writes into a function's resource policy, as Lambda writes it:
 * `Principal` is a service (`{"Service": …}`), an account (`{"AWS": "arn:aws:iam::A:root"}`), an
 * IAM ARN or `*`; `SourceAccount` becomes `StringEquals AWS:SourceAccount`, `SourceArn`
 * `ArnLike AWS:SourceArn`, `PrincipalOrgID` `StringEquals aws:PrincipalOrgID`.
 */
import { AwsError } from '../../errors.ts';
import { invalidParameterValue } from './errors.ts';

export interface PermissionInput {
  StatementId: string;
  Action: string;
  Principal: string;
  SourceArn?: string;
  SourceAccount?: string;
  PrincipalOrgID?: string;
  EventSourceToken?: string;
}

export interface PolicyDocument {
  Version: string;
  Id: string;
  Statement: Record<string, unknown>[];
}

/** Lambda's limit on a function's policy. */
const MAX_POLICY_BYTES = 20_480;

function principalElement(principal: string): unknown {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:.+/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazon\.com)$/.test(principal)) return { Service: principal };
  throw invalidParameterValue('The provided principal was invalid. Please check the principal and try again.');
}

export function permissionStatement(input: PermissionInput, resource: string): Record<string, unknown> {
  const statement: Record<string, unknown> = {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: principalElement(input.Principal),
    Action: input.Action,
    Resource: resource,
  };
  const condition: Record<string, Record<string, string>> = {};
  if (input.SourceAccount !== undefined) (condition.StringEquals ??= {})['AWS:SourceAccount'] = input.SourceAccount;
  if (input.PrincipalOrgID !== undefined) (condition.StringEquals ??= {})['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  if (input.EventSourceToken !== undefined) (condition.StringEquals ??= {})['lambda:EventSourceToken'] = input.EventSourceToken;
  if (input.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (Object.keys(condition).length > 0) statement.Condition = condition;
  return statement;
}

export function readPolicy(text: string | null): PolicyDocument | undefined {
  return text ? JSON.parse(text) as PolicyDocument : undefined;
}

/** The policy with the statement added; Lambda's errors for a taken id or an oversized policy. */
export function addStatement(current: string | null, statement: Record<string, unknown>): string {
  const policy = readPolicy(current) ?? { Version: '2012-10-17', Id: 'default', Statement: [] };
  if (policy.Statement.some((s) => s.Sid === statement.Sid)) {
    throw new AwsError('ResourceConflictException', `The statement id (${String(statement.Sid)}) provided already exists. Please provide a new statement id, or remove the existing statement.`, 409);
  }
  policy.Statement.push(statement);
  const text = JSON.stringify(policy);
  const size = Buffer.byteLength(text);
  if (size > MAX_POLICY_BYTES) throw new AwsError('PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${MAX_POLICY_BYTES}).`, 400);
  return text;
}

/** The policy without the statement (null when it was the last); undefined when there is no such statement. */
export function removeStatement(current: string | null, sid: string): string | null | undefined {
  const policy = readPolicy(current);
  if (!policy) return undefined;
  const remaining = policy.Statement.filter((s) => s.Sid !== sid);
  if (remaining.length === policy.Statement.length) return undefined;
  return remaining.length === 0 ? null : JSON.stringify({ ...policy, Statement: remaining });
}
