/**
 * The console's routes on coffer's port: GET /console… serves the built app (static.ts);
 * /console/api/… is the small JSON API the app needs besides the AWS APIs themselves:
 *
 *   GET  /console/api/info                  regions served (nothing about accounts or users)
 *   POST /console/api/sign-in               password (+ MFA code) sign-in → session credentials
 *   POST /console/api/sign-in/access-key    SigV4-signed (service `signin`) with a long-term key → session
 *   GET  /console/api/rotation-templates/N.zip  a built-in rotation function's code (holds no secret)
 *   POST /console/api/rotation-attempts     signed with the session: a secret's recent rotation attempts
 *   POST /console/api/sign-out              signed with the session: revokes it (its credentials stop working)
 *
 * Errors are JSON `{ code, message }` with an HTTP status; nothing secret is logged.
 */
import { tlsDetailsOf } from '../observe/tls-details.ts';
import type { IncomingMessage } from 'node:http';
import { AwsError } from '../errors.ts';
import { authenticate, type Authenticated } from '../auth/authenticate.ts';
import { readBody } from '../http/read-body.ts';
import type { App } from '../app.ts';
import type { Sealer } from '../services/iam/mfa-store.ts';
import { isTemplateName, templateZip } from '../rotation-templates/index.ts';
import { serveConsoleFile, CONSOLE_CSP, type StaticAnswer } from './static.ts';
import { SignInBackoff } from './backoff.ts';
import { ConsoleError, accessKeySignIn, parsePasswordSignIn, passwordSignIn, type SignInDeps, type SignInNote } from './sign-in.ts';
import { requestContext } from '../http/server.ts';
import type { RequestRecord } from '../observe/request-record.ts';
import { rotationAttempts } from './rotation-attempts.ts';
import { signOut } from './sign-out.ts';

/** The SigV4 signing name of the console API's signed requests, AWS's sign-in service's. */
export const CONSOLE_SIGNING_NAME = 'signin';

export interface ConsoleServer {
  handle(req: IncomingMessage, requestId: string, sourceIp: string): Promise<StaticAnswer>;
}

export function isConsolePath(url: string | undefined): boolean {
  return url !== undefined && (url === '/console' || url.startsWith('/console/') || url.startsWith('/console?'));
}

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-security-policy': CONSOLE_CSP, 'x-content-type-options': 'nosniff' };

function json(status: number, body: unknown, requestId: string): StaticAnswer {
  return { status, headers: { ...JSON_HEADERS, 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

function errorAnswer(err: ConsoleError | AwsError, requestId: string): StaticAnswer {
  if (err instanceof ConsoleError) return json(err.status, { code: err.code, message: err.message, ...err.extra }, requestId);
  return json(err.status, { code: err.code, message: err.message }, requestId);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ConsoleError(400, 'ValidationError', 'The request body is not JSON.');
  }
}

export function createConsoleServer(app: App, sealer: Sealer, now: () => number = Date.now): ConsoleServer {
  const deps: SignInDeps = { app, sealer, backoff: new SignInBackoff(now), now };

  async function signed(req: IncomingMessage, body: Buffer): Promise<Authenticated> {
    return authenticate({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body }, CONSOLE_SIGNING_NAME, app.credentials, app.config, now());
  }

  /**
   * A sign-in attempt for the request observers (audit trail, metrics), as CloudTrail's
   * ConsoleLogin event from signin.amazonaws.com: who (when known), MFA used, Success or the
   * failure. Only the user name is kept of the input; nothing of the password or the session.
   */
  function noteSignIn(req: IncomingMessage, requestId: string, sourceIp: string, receivedAt: Date, note: SignInNote, input: { userName?: string }, answer: StaticAnswer, error?: ConsoleError | AwsError): void {
    if (!app.observers.active) return;
    const who = note.principal ? { principal: note.principal, region: firstRegion(), requestTime: receivedAt } : undefined;
    const rec: RequestRecord = {
      requestId, receivedAt, durationMs: Date.now() - receivedAt.getTime(), protocol: 'none', service: CONSOLE_SIGNING_NAME, operation: 'ConsoleLogin',
      ...(who ? { ctx: requestContext(app, req, requestId, CONSOLE_SIGNING_NAME, 'ConsoleLogin', who) } : {}),
      input: { ...(input.userName ? { UserName: input.userName } : {}), MfaUsed: note.mfaUsed ? 'Yes' : 'No' },
      ...(answer.status === 200 && !error ? { output: { ConsoleLogin: 'Success' } } : {}),
      ...(error ? { error: error instanceof AwsError ? error : new AwsError(error.code, error.message, error.status) } : {}),
      status: answer.status, sourceIp, userAgent: String(req.headers['user-agent'] ?? ''), tls: tlsDetailsOf(req),
    };
    app.observers.notify(rec);
  }
  const firstRegion = () => (app.config.regions === 'any' ? 'us-east-1' : app.config.regions[0]!);

  async function signIn(req: IncomingMessage, path: string, body: Buffer, requestId: string, sourceIp: string): Promise<StaticAnswer> {
    const receivedAt = new Date();
    const note: SignInNote = {};
    try {
      let answer: StaticAnswer;
      if (path === '/console/api/sign-in') {
        const input = parsePasswordSignIn(parseJson(body));
        const result = await passwordSignIn(deps, input, sourceIp, note);
        answer = json(200, result, requestId);
        // Asking for the MFA code is not a sign-in yet.
        if (result.status === 'mfa-required') return answer;
      } else {
        const who = await signed(req, body);
        answer = json(200, await accessKeySignIn(deps, who.principal, note), requestId);
      }
      noteSignIn(req, requestId, sourceIp, receivedAt, note, { userName: note.principal?.userName }, answer);
      return answer;
    } catch (err) {
      if (err instanceof ConsoleError || err instanceof AwsError) {
        const answer = errorAnswer(err, requestId);
        // As CloudTrail does for failed sign-ins, the typed user name is not kept: people type passwords there.
        noteSignIn(req, requestId, sourceIp, receivedAt, note, {}, answer, err);
        return answer;
      }
      throw err;
    }
  }

  async function api(req: IncomingMessage, path: string, requestId: string, sourceIp: string): Promise<StaticAnswer> {
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/console/api/info') {
      req.resume();
      const regions = app.config.regions === 'any' ? ['us-east-1'] : app.config.regions;
      return json(200, { regions, anyRegion: app.config.regions === 'any' }, requestId);
    }
    const template = /^\/console\/api\/rotation-templates\/([a-z-]+)\.zip$/.exec(path);
    if (method === 'GET' && template) {
      req.resume();
      if (!isTemplateName(template[1]!)) throw new ConsoleError(404, 'NotFound', `No rotation template named ${template[1]}.`);
      const pkg = await templateZip(template[1]);
      return { status: 200, headers: { 'content-type': 'application/zip', 'cache-control': 'no-cache', 'x-amzn-requestid': requestId }, body: pkg.zip };
    }
    if (method !== 'POST') {
      req.resume();
      throw new ConsoleError(404, 'NotFound', `No console API at ${method} ${path}.`);
    }
    // JSON only: a cross-site HTML form cannot send it without a CORS preflight, which this API never grants.
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
      req.resume();
      throw new ConsoleError(415, 'UnsupportedMediaType', 'The console API takes application/json.');
    }
    const body = await readBody(req, app.config.maxBodyBytes);
    switch (path) {
      case '/console/api/sign-in':
      case '/console/api/sign-in/access-key':
        return signIn(req, path, body, requestId, sourceIp);
      case '/console/api/sign-out': {
        const who = await signed(req, body);
        return json(200, await signOut(app, who), requestId);
      }
      case '/console/api/rotation-attempts': {
        const who = await signed(req, body);
        return json(200, await rotationAttempts(app, req, requestId, who, parseJson(body)), requestId);
      }
      default:
        throw new ConsoleError(404, 'NotFound', `No console API at ${method} ${path}.`);
    }
  }

  return {
    async handle(req, requestId, sourceIp) {
      const path = (req.url ?? '/').split('?')[0]!;
      if (!path.startsWith('/console/api/')) {
        req.resume();
        return serveConsoleFile(req.method ?? 'GET', req.url ?? '/console/');
      }
      try {
        return await api(req, path, requestId, sourceIp);
      } catch (err) {
        if (err instanceof ConsoleError || err instanceof AwsError) return errorAnswer(err, requestId);
        app.log.error({ requestId, err: err instanceof Error ? err.message : String(err) }, 'console API error');
        return json(500, { code: 'InternalError', message: 'An error occurred on the server side.' }, requestId);
      }
    },
  };
}
