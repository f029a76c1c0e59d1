/**
 * The restJson1 protocol (Lambda): the operation is chosen by method and path, as the model's
 * `http.requestUri` templates say (`/2015-03-31/functions/{FunctionName}/invocations`); input
 * members come from path labels, the query string, headers and the JSON body (or the raw
 * body, for a blob `payload` such as Invoke's), as each member's `location` says; output
 * members go to headers, the status code and the body the same way. Errors carry
 * `x-amzn-errortype` and a JSON body with the message member the model's exception shape
 * names (`message` or `Message`) and, for Lambda's exceptions, `Type` (`User` / `Service`).
 */
import { AwsError } from '../errors.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { Authorizer } from '../auth/authorize.ts';
import type { ServiceModel, Shape, ShapeRef } from './model.ts';
import { planAuthorizeRun, type Operation } from './operation.ts';
import { typeMismatch, validateInput } from './validate.ts';
import { toWire } from './json-output.ts';
import { parseJsonBody } from './aws-json.ts';

export const REST_JSON_CONTENT_TYPE = 'application/json';

export interface RestJsonService {
  /** The SigV4 signing name requests are routed by: `lambda`. */
  signingName: string;
  model: ServiceModel;
  operations: Record<string, Operation<any, any, any>>;
  /** Largest request body per operation, where it differs from the server's limit. */
  bodyLimits?: Record<string, { bytes: number; error: (limit: number) => AwsError }>;
  routes: Route[];
}

/** A raw HTTP response body: a string (JSON) or bytes (Invoke's payload). */
export interface RestWireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

interface Segment {
  literal?: string;
  label?: string;
  greedy?: boolean;
}

export interface Route {
  operation: string;
  method: string;
  segments: Segment[];
}

/** Routes for the operations the service serves, from the model's `http` bindings. */
export function buildRoutes(model: ServiceModel, operations: Iterable<string>): Route[] {
  const routes: Route[] = [];
  for (const name of operations) {
    const http = (model.operations[name] as { http?: { method: string; requestUri: string } } | undefined)?.http;
    if (!http) throw new Error(`${name} has no http binding in the model`);
    const path = http.requestUri.split('?')[0]!;
    // Models differ on a trailing slash (botocore's ListFunctions is `/2015-03-31/functions/`).
    const segments = trimSlash(path.split('/').slice(1)).map((s): Segment => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
      return m ? { label: m[1], greedy: m[2] === '+' } : { literal: s };
    });
    routes.push({ operation: name, method: http.method, segments });
  }
  return routes;
}

export interface Matched {
  operation: string;
  labels: Record<string, string>;
  query: URLSearchParams;
}

/** The operation a method and URL name, with its path labels decoded; undefined when none. */
export function matchRoute(routes: Route[], method: string, url: string): Matched | undefined {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const parts = trimSlash(path.split('/').slice(1));
  for (const route of routes) {
    if (route.method !== method) continue;
    const labels = matchSegments(route.segments, parts);
    if (labels) return { operation: route.operation, labels, query };
  }
  return undefined;
}

/** `/a/b/` and `/a/b` are one path: clients built from different model versions send either. */
function trimSlash(parts: string[]): string[] {
  return parts.length > 1 && parts[parts.length - 1] === '' ? parts.slice(0, -1) : parts;
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.greedy) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      labels[seg.label!] = safeDecode(rest.join('/'));
      return labels;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (seg.literal !== undefined) {
      if (part !== seg.literal) return undefined;
    } else {
      if (part === '') return undefined;
      labels[seg.label!] = safeDecode(part);
    }
  }
  return parts.length === segments.length ? labels : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface RestRequest {
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The operation's input from path, query, headers and body, as the model binds each member. */
export function bindInput(model: ServiceModel, operation: string, req: RestRequest): { input: Record<string, unknown>; payload?: { member: string; bytes: Buffer } } {
  const ref = model.operations[operation]!.input;
  if (!ref) return { input: {} };
  const shape = model.shapes[ref.shape]! as Shape & { payload?: string };
  const input: Record<string, unknown> = {};
  let payload: { member: string; bytes: Buffer } | undefined;
  let bodyMembers = false;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const target = model.shapes[member.shape]!;
    switch (member.location) {
      case 'uri': {
        const v = req.labels[member.locationName ?? name];
        if (v !== undefined) input[name] = v;
        break;
      }
      case 'querystring': {
        const values = req.query.getAll(member.locationName ?? name);
        if (values.length > 0) input[name] = fromText(values, target, name);
        break;
      }
      case 'header': {
        const raw = req.headers[(member.locationName ?? name).toLowerCase()];
        const v = Array.isArray(raw) ? raw.join(',') : raw;
        if (v !== undefined) input[name] = fromText([v], target, name);
        break;
      }
      case 'headers':
      case 'statusCode':
        break;
      default:
        if (shape.payload === name && target.type !== 'structure') payload = { member: name, bytes: req.body };
        else bodyMembers = true;
    }
  }
  if (shape.payload && payload === undefined) {
    const parsed = parseJsonBody(req.body);
    if (Object.keys(parsed).length > 0) input[shape.payload] = parsed;
  } else if (bodyMembers && !shape.payload) {
    const parsed = parseJsonBody(req.body);
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      if (member.location === undefined && parsed[name] !== undefined) input[name] = parsed[name];
    }
  }
  return { input, payload };
}

/** A query or header value as its member's type; text that is not one is a SerializationException, as AWS's. */
function fromText(values: string[], target: Shape, name: string): unknown {
  switch (target.type) {
    case 'list':
      return values;
    case 'integer':
    case 'long': {
      const n = Number(values[0]);
      if (!/^-?\d+$/.test(values[0]!) || !Number.isSafeInteger(n)) throw typeMismatch(values[0], target.type);
      return n;
    }
    case 'boolean':
      if (values[0] === 'true') return true;
      if (values[0] === 'false') return false;
      throw typeMismatch(values[0], 'boolean');
    default:
      void name;
      return values[0];
  }
}

/** Validate, authorize and run one call; the output serialized as the model binds it. */
export async function invokeRest(
  service: RestJsonService,
  operation: string,
  req: RestRequest,
  ctx: RequestContext,
  authorize: Authorizer,
  requestId: string,
): Promise<RestWireResponse> {
  const { input, payload } = bindInput(service.model, operation, req);
  ctx.call = { input };
  const shape = service.model.operations[operation]!.input?.shape;
  if (shape) validateInput(service.model, shape, input);
  // The raw payload joins the input after validation: it has no constraints, and its bytes
  // are not base64 text.
  if (payload) input[payload.member] = payload.bytes;
  const output = await planAuthorizeRun(service.operations[operation]!, input, ctx, authorize);
  ctx.call.output = output;
  return serializeOutput(service.model, operation, output as Record<string, unknown> | undefined, requestId);
}

export function serializeOutput(model: ServiceModel, operation: string, output: Record<string, unknown> | undefined, requestId: string): RestWireResponse {
  const opModel = model.operations[operation]! as { output?: ShapeRef; http?: { responseCode?: number } };
  let status = opModel.http?.responseCode ?? 200;
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  const shape = opModel.output ? model.shapes[opModel.output.shape]! as Shape & { payload?: string } : undefined;
  const body: Record<string, unknown> = {};
  let raw: Buffer | string | undefined;
  for (const [name, value] of Object.entries(output ?? {})) {
    if (value === undefined || value === null) continue;
    const member = shape?.members?.[name];
    if (member?.location === 'header') headers[(member.locationName ?? name).toLowerCase()] = String(value);
    else if (member?.location === 'statusCode') status = Number(value);
    else if (shape?.payload === name) raw = Buffer.isBuffer(value) ? value : JSON.stringify(toWire(value));
    else body[name] = value;
  }
  if (raw !== undefined) {
    headers['content-type'] = REST_JSON_CONTENT_TYPE;
    return { status, headers, body: raw };
  }
  // No body for 204, for an output without a shape, or for a payload member left out (Invoke's Event).
  if (status === 204 || shape === undefined || shape.payload !== undefined) return { status, headers, body: '' };
  headers['content-type'] = REST_JSON_CONTENT_TYPE;
  return { status, headers, body: JSON.stringify(toWire(body) ?? {}) };
}

/** Codes the front door and SigV4 produce, with the statuses a REST service answers them with. */
const AUTH_STATUS: Record<string, number> = {
  MissingAuthenticationTokenException: 403,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 403,
  ExpiredTokenException: 403,
  AccessDeniedException: 403,
};

/**
 * An error as a restJson1 service sends it. The message member is the one the model's
 * exception shape has (Lambda's `ResourceNotFoundException` has `Message`, its
 * `InvalidParameterValueException` `message`); errors outside the model use `message`, and
 * AccessDeniedException `Message`, as Lambda's front end sends them.
 */
export function restJsonError(model: ServiceModel, err: AwsError, requestId: string): RestWireResponse {
  const shape = model.shapes[err.code];
  const status = AUTH_STATUS[err.code] ?? err.status;
  const body: Record<string, string> = { ...err.members };
  if (shape?.exception && shape.members?.Type) body.Type = status >= 500 ? 'Service' : 'User';
  const key = shape?.exception ? (shape.members?.Message ? 'Message' : 'message') : err.code === 'AccessDeniedException' ? 'Message' : 'message';
  if (err.message || shape?.exception) body[key] = err.message;
  return {
    status,
    headers: { ...err.headers, 'content-type': REST_JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId, 'x-amzn-errortype': err.code },
    body: JSON.stringify(body),
  };
}

/** No route for this method and path. */
export const unknownRoute = () => new AwsError('UnknownOperationException', 'Unknown operation', 404);
