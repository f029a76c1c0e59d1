/**
 * The awsQuery protocol (IAM, STS): `POST /` with a form body `Action=<Op>&Version=<ver>&…`,
 * the service told apart by the SigV4 scope's service name; XML out as
 * `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId/></ResponseMetadata></OpResponse>`,
 * errors as `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`
 * with AWS's HTTP statuses.
 */
import { AwsError } from '../errors.ts';
import type { ServiceModel } from './model.ts';
import { runOperation, type Operation } from './operation.ts';
import type { WireResponse } from './aws-json.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { Authorizer } from '../auth/authorize.ts';
import { readQueryInput, type Form } from './query-input.ts';
import { escapeXml, escapeXmlAttribute, structureXml } from './xml-output.ts';

export const XML_CONTENT_TYPE = 'text/xml';

export interface QueryService {
  /** The SigV4 signing name, which is also how a request picks the service: `sts`, `iam`. */
  signingName: string;
  model: ServiceModel;
  operations: Record<string, Operation<any, any, any>>;
}

/** The clients send `application/x-www-form-urlencoded`, with or without `; charset=utf-8`. */
export function isFormContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** The service's XML namespace, `https://sts.amazonaws.com/doc/2011-06-15/`. */
export function xmlNamespace(model: ServiceModel): string {
  const meta = model.metadata as ServiceModel['metadata'] & { xmlNamespace?: string };
  return meta.xmlNamespace ?? `https://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`;
}

/**
 * An Action this endpoint does not serve, worded as the query services word it: the action
 * and the version asked for, so a wrong `Version` reads the same way.
 */
export function invalidAction(action: string, version: string): AwsError {
  return new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
}

/** Operation named by the form's Action, or the AwsError a query service answers. */
export function findQueryOperation(service: QueryService, form: Form): { name: string; op: Operation<any, any, any> } {
  const action = form.get('Action');
  if (!action) throw new AwsError('MissingAction', 'Missing Action');
  // Every client sends Version; a hand-made request without one is read as the current version.
  const version = form.get('Version') ?? service.model.metadata.apiVersion;
  const op = service.operations[action];
  if (!op || !service.model.operations[action] || version !== service.model.metadata.apiVersion) throw invalidAction(action, version);
  return { name: action, op };
}

/**
 * The same failure has different codes on the two protocols: the JSON services' exception
 * names (what `auth` and `validate` throw) become the query services' codes and statuses.
 */
const QUERY_ERRORS: Record<string, { code: string; status: number; message?: string }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  ValidationException: { code: 'ValidationError', status: 400 },
  SerializationException: { code: 'ValidationError', status: 400 },
  InternalServiceError: { code: 'InternalFailure', status: 500 },
};

/**
 * `region` rewrites the scope complaint into the query services' form, which names the region
 * the request was signed for ("Credential should be scoped to a valid region, not 'x'.").
 */
export function toQueryError(err: AwsError, region?: string): AwsError {
  const mapped = QUERY_ERRORS[err.code];
  if (!mapped) return err;
  let message = mapped.message ?? err.message;
  if (region !== undefined) message = message.replace('Credential should be scoped to a valid region.', `Credential should be scoped to a valid region, not '${region}'.`);
  return new AwsError(mapped.code, message, mapped.status);
}

/** An error response; `namespace` is omitted when the request named no service we know. */
export function queryError(err: AwsError, requestId: string, namespace?: string): WireResponse {
  const xmlns = namespace ? ` xmlns="${escapeXmlAttribute(namespace)}"` : '';
  const message = err.message ? `<Message>${escapeXml(err.message)}</Message>` : '';
  const type = err.fault === 'server' ? 'Receiver' : 'Sender';
  return {
    status: err.status,
    headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: `<ErrorResponse${xmlns}><Error><Type>${type}</Type><Code>${escapeXml(err.code)}</Code>${message}</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`,
  };
}

/** Wraps an operation's output in `<OpResponse>`; operations without output send only the metadata. */
export function queryResponse(service: QueryService, name: string, output: Record<string, unknown>, requestId: string): WireResponse {
  const { model } = service;
  const ref = model.operations[name]!.output as ({ shape: string; resultWrapper?: string } | undefined);
  let result = '';
  if (ref) {
    const inner = structureXml(model, ref.shape, output);
    result = ref.resultWrapper ? `<${ref.resultWrapper}>${inner}</${ref.resultWrapper}>` : inner;
  }
  return {
    status: 200,
    headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: `<${name}Response xmlns="${escapeXmlAttribute(xmlNamespace(model))}">${result}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${name}Response>`,
  };
}

/** Parse, validate, plan, authorize and run one call; returns the XML response. */
export async function invokeQuery(
  service: QueryService,
  name: string,
  op: Operation<any, any, any>,
  form: Form,
  ctx: RequestContext,
  authorize: Authorizer,
): Promise<WireResponse> {
  const shape = service.model.operations[name]!.input?.shape;
  const input = readQueryInput(service.model, shape, form);
  const output = await runOperation(service.model, name, op, input, ctx, authorize);
  return queryResponse(service, name, (output ?? {}) as Record<string, unknown>, ctx.requestId);
}
