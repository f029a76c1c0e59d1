/**
 * One restJson1 request (Lambda): route by method and path, read the body up to the
 * operation's limit, authenticate for the service's signing name, then run the operation.
 */
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors.ts';
import { authenticate } from '../auth/authenticate.ts';
import { invokeRest, matchRoute, restJsonError, unknownRoute, type RestJsonService, type RestWireResponse } from '../protocol/rest-json.ts';
import { readBody } from './read-body.ts';
import { internalError, requestContext } from './server.ts';
import type { App } from '../app.ts';
import type { RequestRecord } from '../observe/request-record.ts';

export async function handleRestJson(app: App, service: RestJsonService, req: IncomingMessage, requestId: string, rec: RequestRecord): Promise<RestWireResponse> {
  rec.protocol = 'restJson';
  rec.service = service.signingName;
  try {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const matched = matchRoute(service.routes, method, url);
    rec.operation = matched?.operation;
    const limit = matched && service.bodyLimits?.[matched.operation];
    let body: Buffer;
    try {
      body = await readBody(req, limit ? Math.max(limit.bytes, app.config.maxBodyBytes) : app.config.maxBodyBytes);
    } catch (err) {
      if (limit && err instanceof AwsError && err.status === 413) throw limit.error(limit.bytes);
      throw err;
    }
    const who = await authenticate({ method, url, headers: req.headers, body }, service.signingName, app.credentials, app.config);
    if (!matched) throw unknownRoute();
    const ctx = requestContext(app, req, requestId, service.signingName, matched.operation, who);
    rec.ctx = ctx;
    app.throttle.check(ctx);
    return await invokeRest(service, matched.operation, { labels: matched.labels, query: matched.query, headers: req.headers, body }, ctx, app.authorize, requestId);
  } catch (err) {
    rec.error = err instanceof AwsError ? err : internalError(err, app, requestId);
    return restJsonError(service.model, rec.error, requestId);
  }
}
