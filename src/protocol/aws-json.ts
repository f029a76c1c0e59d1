/**
 * The awsJson1.1 protocol: `POST /`, `X-Amz-Target: <prefix>.<Operation>`, a JSON body in,
 * a JSON body out, errors as `{"__type", "Message"}` with AWS's HTTP statuses.
 */
import { AwsError } from '../errors.ts';
import type { ServiceModel } from './model.ts';
import { runOperation, type Operation } from './operation.ts';
import { typeMismatch } from './validate.ts';
import { toWire } from './json-output.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { Authorizer } from '../auth/authorize.ts';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface JsonService {
  /** The X-Amz-Target prefix: `secretsmanager`, `TrentService`. */
  targetPrefix: string;
  /** The SigV4 signing name. */
  signingName: string;
  model: ServiceModel;
  operations: Record<string, Operation<any, any, any>>;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Errors without a message (unknown operation, unparseable body) carry only `__type`, as AWS's do. */
export function jsonError(err: AwsError, requestId: string): WireResponse {
  return {
    status: err.status,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
    body: JSON.stringify(err.message ? { __type: err.code, [err.jsonMessageMember]: err.message } : { __type: err.code }),
  };
}

/**
 * AWS answers an unknown or missing `X-Amz-Target` with 400 and a bare
 * `{"__type":"UnknownOperationException"}` (aws/aws-sdk-net#1536, aws/aws-sdk-js#425).
 */
export const unknownOperation = () => new AwsError('UnknownOperationException', '');

/** Operation name from the target, or an AwsError when the service has no such operation. */
export function findOperation(service: JsonService, target: string): { name: string; op: Operation<any, any, any> } {
  const name = target.slice(service.targetPrefix.length + 1);
  const op = service.operations[name];
  if (!op || !service.model.operations[name]) throw unknownOperation();
  return { name, op };
}

/**
 * The request body as a JSON object. A body that is not JSON at all gets a SerializationException
 * without a message, as AWS's JSON services send it (pplu/aws-sdk-perl#237); JSON of the wrong
 * shape gets the type-mismatch text the input check uses. An empty body is `{}`.
 */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', '');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw typeMismatch(parsed, 'structure');
  return parsed as Record<string, unknown>;
}

/** Validate, plan, authorize and run one call; returns the JSON response body. */
export async function invokeJson(
  service: JsonService,
  name: string,
  op: Operation<any, any, any>,
  input: Record<string, unknown>,
  ctx: RequestContext,
  authorize: Authorizer,
): Promise<string> {
  const output = await runOperation(service.model, name, op, input, ctx, authorize);
  return JSON.stringify(toWire(output) ?? {});
}
