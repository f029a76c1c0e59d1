/**
 * A function's AWS credentials: a session of its execution role, minted as if Lambda
 * (`lambda.amazonaws.com`) assumed the role — the role's trust policy must allow that service
 * — with the function's name as session name, so the session's ARN is
 * `arn:aws:sts::<account>:assumed-role/<role>/<function>`. The session carries the function's
 * account as `aws:SourceAccount` of every request it signs (docs/lambda.md, "Runtime").
 *
 * Sessions are cached per function and role until `REFRESH_BEFORE_MS` before they expire.
 */
import { AwsError } from '../../../errors.ts';
import type { IssuedCredentials } from '../../../auth/sessions.ts';
import { assumeRoleAsService } from '../../sts/assume-role.ts';
import type { StsDeps } from '../../sts/deps.ts';
import type { FunctionConfig } from '../contract.ts';

export const LAMBDA_SERVICE = 'lambda.amazonaws.com';
/** A process started with these credentials must be able to use them for a whole invocation and then some. */
export const REFRESH_BEFORE_MS = 10 * 60_000;
const SESSION_SECONDS = 3600;

export type MintCredentials = (fn: FunctionConfig) => Promise<IssuedCredentials>;

/** Lambda's answer when the execution role does not trust it (or no longer exists). */
export const roleCannotBeAssumed = () => new AwsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.', 400);

/** Mints through STS's service path: the trust policy decides, with the function as source. */
export function lambdaSessions(sts: StsDeps): MintCredentials {
  return async (fn) => {
    try {
      const { credentials } = await assumeRoleAsService(sts, {
        service: LAMBDA_SERVICE,
        roleArn: fn.roleArn,
        sessionName: fn.functionName,
        sourceAccount: fn.accountId,
        sourceArn: fn.functionArn,
        durationSeconds: SESSION_SECONDS,
        sessionSourceAccount: fn.accountId,
      });
      return credentials;
    } catch (err) {
      if (err instanceof AwsError && err.code === 'AccessDenied') throw roleCannotBeAssumed();
      throw err;
    }
  };
}

export class ExecutionRoleCredentials {
  private readonly cache = new Map<string, Promise<IssuedCredentials>>();

  constructor(private readonly mint: MintCredentials, private readonly now: () => number = Date.now) {}

  /** Credentials valid for at least `REFRESH_BEFORE_MS` more. */
  async get(fn: FunctionConfig): Promise<IssuedCredentials> {
    const key = `${fn.functionArn}\n${fn.roleArn}`;
    const hit = this.cache.get(key);
    if (hit) {
      const creds = await hit.catch(() => undefined);
      if (creds && creds.Expiration.getTime() - this.now() > REFRESH_BEFORE_MS) return creds;
      if (this.cache.get(key) === hit) this.cache.delete(key);
      else return this.get(fn);
    }
    const minted = this.mint(fn);
    this.cache.set(key, minted);
    // A failure is not cached: the role may be fixed before the next invocation.
    minted.catch(() => { if (this.cache.get(key) === minted) this.cache.delete(key); });
    return minted;
  }

  forget(functionArn: string): void {
    for (const key of this.cache.keys()) if (key.startsWith(`${functionArn}\n`)) this.cache.delete(key);
  }
}
