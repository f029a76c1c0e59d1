/**
 * The node:http front door: health, then the protocol chosen by the request's shape
 * (`X-Amz-Target` → awsJson1.1; a form POST → awsQuery; a request signed for a restJson1
 * service's signing name → that service, e.g. Lambda), authentication, and the response. SIGTERM-style draining
 * stops accepting, lets in-flight requests finish and closes idle keep-alive connections.
 */
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../errors.ts';
import { authenticate, type Authenticated } from '../auth/authenticate.ts';
import type { RequestContext } from '../auth/request-context.ts';
import { findOperation, invokeJson, jsonError, parseJsonBody, unknownOperation, JSON_CONTENT_TYPE, type JsonService, type WireResponse } from '../protocol/aws-json.ts';
import { findQueryOperation, invalidAction, invokeQuery, isFormContentType, queryError, toQueryError, xmlNamespace, type QueryService } from '../protocol/aws-query.ts';
import { parseForm } from '../protocol/query-input.ts';
import { parseSignature, type SignableRequest } from '../auth/sigv4.ts';
import { readBody } from './read-body.ts';
import { handleRestJson } from './rest-json-handler.ts';
import { applyServerLimits, HEADERS_TOO_LARGE, serverOptions, tooManyHeaders } from './limits.ts';
import { matchRoute } from '../protocol/rest-json.ts';
import type { App } from '../app.ts';
import type { RequestRecord } from '../observe/request-record.ts';
import { answerProbe, probePath } from '../metrics/probes.ts';
import { isSecure, listenerFor, type TlsMaterial } from '../tls/https-server.ts';
import { isConsolePath } from '../console/api.ts';
import { tlsDetailsOf } from '../observe/tls-details.ts';

export interface FrontDoor {
  server: Server;
  /** Stop accepting, finish in-flight requests, then resolve. */
  drain(): Promise<void>;
}

function send(res: ServerResponse, wire: WireResponse | { status: number; headers: Record<string, string>; body: string | Buffer }, closing: boolean): void {
  // Object.assign, not a spread followed by a property: that is a slow path in Node 20's V8.
  const headers: Record<string, string | number> = Object.assign({}, wire.headers);
  headers['content-length'] = Buffer.byteLength(wire.body);
  if (closing) headers.connection = 'close';
  res.writeHead(wire.status, headers);
  res.end(wire.body);
}

function sourceIp(req: IncomingMessage): string {
  const ip = req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function internalError(err: unknown, app: App, requestId: string): AwsError {
  app.log.error({ requestId, err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err) }, 'internal error');
  return new AwsError('InternalServiceError', 'An error occurred on the server side.', 500);
}

/** What authorization and auditing know about a request, built once it is authenticated. */
export function requestContext(app: App, req: IncomingMessage, requestId: string, service: string, operation: string, who: Authenticated): RequestContext {
  const ctx: RequestContext = {
    requestId,
    service,
    operation,
    region: who.region,
    principal: who.principal,
    sourceIp: sourceIp(req),
    secureTransport: isSecure(req.socket),
    userAgent: String(req.headers['user-agent'] ?? ''),
    requestTime: new Date(),
    isAllowed: async (request) => (await app.authorize(ctx, request)).allowed,
    decide: async (request) => app.authorize(ctx, request),
  };
  return ctx;
}

async function handleJson(app: App, service: JsonService, target: string, req: IncomingMessage, requestId: string, rec: RequestRecord): Promise<WireResponse> {
  rec.protocol = 'awsJson';
  rec.service = service.signingName;
  try {
    const body = await readBody(req, app.config.maxBodyBytes);
    const signable = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
    const who = await authenticate(signable, service.signingName, app.credentials, app.config);
    const { name, op } = findOperation(service, target);
    rec.operation = name;
    const input = parseJsonBody(body);
    const ctx = requestContext(app, req, requestId, service.signingName, name, who);
    rec.ctx = ctx;
    app.throttle.check(ctx);
    const out = await invokeJson(service, name, op, input, ctx, app.authorize);
    return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: out };
  } catch (err) {
    rec.error = err instanceof AwsError ? err : internalError(err, app, requestId);
    return jsonError(rec.error, requestId);
  }
}

/** The scope a request claims, read before verifying it; undefined when unsigned or unreadable. */
function claimedScope(req: SignableRequest): { service: string; region: string } | undefined {
  try {
    return parseSignature(req);
  } catch {
    return undefined;
  }
}

/**
 * awsQuery: the service is the one the credential scope names (IAM and STS share the form
 * body shape). A scope naming a query service we do not serve still authenticates, so a bad
 * signature reads as one, then gets InvalidAction for its Action.
 */
async function handleQuery(app: App, req: IncomingMessage, requestId: string, rec: RequestRecord): Promise<WireResponse> {
  rec.protocol = 'awsQuery';
  let service: QueryService | undefined;
  let region: string | undefined;
  try {
    const body = await readBody(req, app.config.maxBodyBytes);
    const signable = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
    const scope = claimedScope(signable);
    region = scope?.region;
    service = scope && app.queryServices.get(scope.service);
    rec.service = service?.signingName ?? scope?.service;
    const who = await authenticate(signable, service?.signingName ?? scope?.service ?? '', app.credentials, app.config);
    const form = parseForm(body.toString('utf8'));
    if (!service) {
      if (!form.get('Action')) throw new AwsError('MissingAction', 'Missing Action');
      throw invalidAction(form.get('Action')!, form.get('Version') ?? '');
    }
    const { name, op } = findQueryOperation(service, form);
    rec.operation = name;
    const ctx = requestContext(app, req, requestId, service.signingName, name, who);
    rec.ctx = ctx;
    app.throttle.check(ctx);
    return await invokeQuery(service, name, op, form, ctx, app.authorize);
  } catch (err) {
    const aws = err instanceof AwsError ? err : internalError(err, app, requestId);
    rec.error = aws;
    return queryError(toQueryError(aws, region), requestId, service && xmlNamespace(service.model));
  }
}

/** The restJson1 service (Lambda) whose signing name the request's credential scope names. */
function restJsonServiceFor(app: App, req: IncomingMessage) {
  if (app.restJsonServices.size === 0) return undefined;
  const scope = claimedScope({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.alloc(0) });
  if (scope) return app.restJsonServices.get(scope.service);
  // Unsigned: a path only a REST service has, so the caller gets that service's answer.
  for (const service of app.restJsonServices.values()) if (matchRoute(service.routes, req.method ?? 'GET', req.url ?? '/')) return service;
  return undefined;
}


/** `tls`: serve HTTPS with this certificate and key (src/tls/); otherwise plain HTTP. */
export function createFrontDoor(app: App, tls?: TlsMaterial): FrontDoor {
  let draining = false;
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const server = listenerFor(tls, serverOptions(app.config.limits), (req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (draining && inFlight === 0) idle?.();
    });
    const requestId = randomUUID();
    // Observers (audit, metrics) get one record per API request once its response is sent.
    const rec: RequestRecord = {
      requestId, receivedAt: new Date(), durationMs: 0, protocol: 'none', status: 0,
      sourceIp: sourceIp(req), userAgent: String(req.headers['user-agent'] ?? ''), tls: tls && tlsDetailsOf(req),
    };
    const started = performance.now();
    const answer = (wire: { status: number; headers: Record<string, string>; body: string | Buffer }) => {
      send(res, wire, draining);
      if (!app.observers.active) return;
      rec.status = wire.status;
      rec.durationMs = performance.now() - started;
      rec.input ??= rec.ctx?.call?.input;
      rec.output = rec.ctx?.call?.output;
      app.observers.notify(rec);
    };
    if (tooManyHeaders(req, app.config.limits)) {
      req.resume();
      send(res, HEADERS_TOO_LARGE, true);
      return;
    }
    const target = req.headers['x-amz-target'];
    // The web console and its sign-in API (src/console/): unsigned GETs of the app, JSON posts.
    if (target === undefined && isConsolePath(req.url)) {
      void app.console.handle(req, requestId, sourceIp(req)).then((wire) => send(res, wire, draining));
      return;
    }
    // /health, /ready and (unless --metrics-listen moves it) /metrics: unsigned operator GETs.
    const probe = probePath(req.method, req.url, app.config.metricsListen === 'same');
    if (probe) {
      void answerProbe(app, probe, draining, requestId).then((wire) => send(res, wire, draining));
      return;
    }
    if (typeof target === 'string') {
      // CloudTrail's prefix has dots of its own (com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101).
      const dot = target.lastIndexOf('.');
      const prefix = dot > 0 ? target.slice(0, dot) : target;
      const service = app.jsonServices.get(prefix);
      if (service) {
        void handleJson(app, service, target, req, requestId, rec).then(answer);
        return;
      }
    }
    const rest = target === undefined ? restJsonServiceFor(app, req) : undefined;
    if (rest) {
      void handleRestJson(app, rest, req, requestId, rec).then(answer);
      return;
    }
    if (req.method === 'POST' && target === undefined && isFormContentType(req.headers['content-type'])) {
      void handleQuery(app, req, requestId, rec).then(answer);
      return;
    }
    req.resume();
    rec.error = unknownOperation();
    answer(jsonError(rec.error, requestId));
  });

  applyServerLimits(server, app.config.limits);

  return {
    server,
    drain: () => new Promise<void>((resolve) => {
      draining = true;
      // Requests a client sent just before the signal may still sit in the accept queue or
      // in an idle keep-alive connection's socket buffer: closing at once would reset them.
      // During a grace (--drain-grace-ms, 250 ms by default) the server keeps reading (answering with Connection: close and
      // /health 503), so they become in flight; then it stops accepting and closes whatever
      // is idle, and server.close() resolves when the last in-flight response is sent.
      setTimeout(() => {
        server.close(() => resolve());
        idle = () => server.closeIdleConnections();
        server.closeIdleConnections();
      }, app.config.drainGraceMs);
    }),
  };
}
