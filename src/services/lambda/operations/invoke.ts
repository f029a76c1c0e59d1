/**
 * Invoke: `RequestResponse` runs the function and answers with what it returned (or Lambda's
 * error object with `X-Amz-Function-Error`), `Event` queues it and answers 202 at once,
 * `DryRun` checks the request and the caller's permission and answers 204. A user is
 * authorized by identity policies or the function's resource policy (same account: either;
 * another account: both), through the one hook.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { LambdaDeps } from '../deps.ts';
import { findFunction, onFunction, requireFunction, type Found } from '../function-lookup.ts';
import type { InvocationType } from '../contract.ts';

/** Lambda's limit on a synchronous invocation's request. */
export const MAX_INVOKE_REQUEST_BYTES = 6_291_456;

interface InvokeInput {
  FunctionName: string;
  InvocationType?: InvocationType;
  LogType?: 'None' | 'Tail';
  ClientContext?: string;
  Qualifier?: string;
  Payload?: Buffer;
}

function eventPayload(payload: Buffer | undefined): Buffer {
  if (!payload || payload.length === 0) return Buffer.from('{}');
  try {
    JSON.parse(payload.toString('utf8'));
  } catch (err) {
    throw new AwsError('InvalidRequestContentException', `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`, 400);
  }
  return payload;
}

export const invoke = (deps: LambdaDeps) => operation({
  async plan(ctx, input: InvokeInput) {
    const found = await findFunction(deps.functions, ctx, input.FunctionName, input.Qualifier);
    return { authorization: onFunction(found, 'lambda:InvokeFunction'), state: found };
  },
  async run(ctx, input: InvokeInput, found: Found) {
    const row = requireFunction(found);
    const payload = eventPayload(input.Payload);
    const type = input.InvocationType ?? 'RequestResponse';
    if (type === 'DryRun') return { StatusCode: 204 };
    const config = deps.functions.config(row);
    const code = () => deps.functions.code(row);
    const requestId = ctx.requestId;
    if (type === 'Event') {
      // Nobody waits for an asynchronous invocation: its failures go to the log.
      deps.runtime.invoke(config, code, { requestId: randomUUID(), payload, invocationType: 'Event' })
        .then((result) => { if (result.functionError) deps.log.warn({ function: row.function_arn, functionError: result.functionError }, 'asynchronous invocation failed'); })
        .catch((err: unknown) => deps.log.error({ function: row.function_arn, err: err instanceof Error ? err.message : String(err) }, 'asynchronous invocation could not run'));
      return { StatusCode: 202 };
    }
    const result = await deps.runtime.invoke(config, code, { requestId, payload, invocationType: 'RequestResponse', logType: input.LogType ?? 'None' });
    return {
      StatusCode: 200,
      FunctionError: result.functionError,
      LogResult: input.LogType === 'Tail' && result.logTail !== undefined ? Buffer.from(result.logTail).toString('base64') : undefined,
      ExecutedVersion: result.executedVersion || '$LATEST',
      Payload: result.payload,
    };
  },
});
