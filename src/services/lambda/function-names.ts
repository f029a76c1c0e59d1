/**
 * What `FunctionName` may be, as Lambda accepts it: a name (`my-fn`), a partial ARN
 * (`123456789012:function:my-fn`) or a full ARN, each optionally qualified (`:$LATEST`). The
 * account and region default to the caller's. coffer keeps only `$LATEST` (no versions or
 * aliases), so any other qualifier names a function that does not exist.
 */
import { AwsError } from '../../errors.ts';

export interface FunctionRef {
  accountId: string;
  region: string;
  name: string;
  qualifier?: string;
}

const FULL = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([^:]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([^:]+))?$/;
const NAME = /^([a-zA-Z0-9_.-]+)(?::([^:]+))?$/;

export function functionArn(region: string, accountId: string, name: string): string {
  return `arn:aws:lambda:${region}:${accountId}:function:${name}`;
}

export function parseFunctionName(value: string, caller: { accountId: string; region: string }): FunctionRef {
  let m = FULL.exec(value);
  if (m) return { region: m[1]!, accountId: m[2]!, name: m[3]!, qualifier: m[4] };
  m = PARTIAL.exec(value);
  if (m) return { region: caller.region, accountId: m[1]!, name: m[2]!, qualifier: m[3] };
  m = NAME.exec(value);
  if (m) return { region: caller.region, accountId: caller.accountId, name: m[1]!, qualifier: m[2] };
  // The model's pattern lets some odd shapes through (an ARN with a region but no account).
  throw new AwsError('ValidationException', `1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
}

/** The ARN AWS names in "Function not found" (qualified when the caller qualified it). */
export function refArn(ref: FunctionRef): string {
  const base = functionArn(ref.region, ref.accountId, ref.name);
  return ref.qualifier ? `${base}:${ref.qualifier}` : base;
}
