/**
 * POST /console/api/rotation-attempts `{ SecretId, Limit? }`, signed with the console session:
 * the secret's recent rotation attempts, step by step, as `coffer rotation status` shows them.
 *
 * Authorization is the API's own: the request runs Secrets Manager's DescribeSecret as the
 * caller (identity policies, the secret's resource policy, the same errors), so whoever may
 * describe the secret may see its attempts' outcomes. What the rotation function said (its
 * error message and log tail) is what its logs hold, so it is shown only to a caller also
 * allowed `logs:GetLogEvents` on the function's log group (`/aws/lambda/NAME`), as reading a
 * function's logs needs in AWS.
 */
import type { IncomingMessage } from 'node:http';
import type { App } from '../app.ts';
import type { Authenticated } from '../auth/authenticate.ts';
import { requestContext } from '../http/server.ts';
import { runOperation } from '../protocol/operation.ts';
import type { Attempt } from '../services/secretsmanager/rotation/attempts.ts';
import { ConsoleError } from './sign-in.ts';

export interface ConsoleAttempt extends Omit<Attempt, 'secretId' | 'token' | 'details'> {
  clientRequestToken: string;
  /** Present only when the caller may read the function's logs. */
  details?: Attempt['details'];
}

export interface AttemptsAnswer {
  arn: string;
  logsReadable: boolean;
  attempts: ConsoleAttempt[];
}

function functionLogGroupArn(functionArn: string): string | undefined {
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
  const m = /^arn:aws:lambda:([^:]+):(\d{12}):function:([^:]+)/.exec(functionArn);
  return m ? `arn:aws:logs:${m[1]}:${m[2]}:log-group:/aws/lambda/${m[3]}:*` : undefined;
}

export async function rotationAttempts(app: App, req: IncomingMessage, requestId: string, who: Authenticated, body: unknown): Promise<AttemptsAnswer> {
  const input = (body ?? {}) as { SecretId?: unknown; Limit?: unknown };
  if (typeof input.SecretId !== 'string' || input.SecretId === '') throw new ConsoleError(400, 'ValidationError', 'SecretId is required.');
  const limit = input.Limit === undefined ? 10 : Number(input.Limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw new ConsoleError(400, 'ValidationError', 'Limit must be a whole number from 1 to 50.');
  const sm = app.jsonServices.get('secretsmanager')!;
  const ctx = requestContext(app, req, requestId, 'secretsmanager', 'DescribeSecret', who);
  const described = await runOperation(sm.model, 'DescribeSecret', sm.operations.DescribeSecret!, { SecretId: input.SecretId }, ctx, app.authorize) as { ARN: string };
  const row = await app.store.db.selectFrom('secrets').select('id').where('arn', '=', described.ARN).executeTakeFirst();
  if (!row) return { arn: described.ARN, logsReadable: false, attempts: [] };
  const attempts = await app.rotation.attempts.last(row.id, limit, true);
  const readable = new Map<string, boolean>();
  const out: ConsoleAttempt[] = [];
  for (const a of attempts) {
    let allowed = readable.get(a.functionArn);
    if (allowed === undefined) {
      const logGroup = functionLogGroupArn(a.functionArn);
      allowed = logGroup !== undefined && await ctx.isAllowed({ action: 'logs:GetLogEvents', resource: logGroup });
      readable.set(a.functionArn, allowed);
    }
    const { secretId: _id, token, details, ...rest } = a;
    out.push({ ...rest, clientRequestToken: token, ...(allowed && details ? { details } : {}) });
  }
  return { arn: described.ARN, logsReadable: [...readable.values()].some(Boolean), attempts: out };
}
