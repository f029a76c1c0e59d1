/**
 * Wire-level helpers for the protocol and SigV4 tests: presigned and hand-signed requests,
 * requests over one kept-alive socket, and the checks every AWS JSON error must pass.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readResponse, type RawResponse } from './raw.ts';
import type { Credentials, TestServer } from './server.ts';

export const JSON_TYPE = 'application/x-amz-json-1.1';

export interface WireOptions {
  target?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  credentials?: Credentials & { sessionToken?: string };
  region?: string;
  service?: string;
  signingDate?: Date;
  /** Header names (lowercase) to leave out of SignedHeaders. */
  unsigned?: string[];
  /** Send x-amz-content-sha256 as the JS SDK does (default); false signs as the CLI and boto3 do. */
  contentSha256?: boolean;
}

function baseRequest(server: TestServer, o: WireOptions): HttpRequest {
  const url = new URL(server.endpoint);
  return new HttpRequest({
    method: o.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: o.path ?? '/',
    headers: {
      host: url.host,
      'content-type': JSON_TYPE,
      ...(o.target ? { 'x-amz-target': o.target } : {}),
      ...o.headers,
    },
    body: o.body ?? '',
  });
}

function signer(server: TestServer, o: WireOptions): SignatureV4 {
  return new SignatureV4({
    credentials: o.credentials ?? server.root,
    region: o.region ?? 'us-east-1',
    service: o.service ?? 'secretsmanager',
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: o.contentSha256 ?? true,
  });
}

/** Signs with AWS's signer; returns the request so a test can tamper with it before `sendRaw`. */
export async function sign(server: TestServer, o: WireOptions): Promise<HttpRequest> {
  return (await signer(server, o).sign(baseRequest(server, o), {
    signingDate: o.signingDate,
    unsignableHeaders: o.unsigned ? new Set(o.unsigned) : undefined,
  })) as HttpRequest;
}

/** A presigned request: X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature in the query. */
export async function presign(server: TestServer, o: WireOptions & { expiresIn: number }): Promise<HttpRequest> {
  return (await signer(server, o).presign(baseRequest(server, o), {
    expiresIn: o.expiresIn,
    signingDate: o.signingDate,
    // The operation is chosen by this header, so it must stay a header rather than move to the query.
    unhoistableHeaders: new Set(['x-amz-target']),
  })) as HttpRequest;
}

function pathWithQuery(r: HttpRequest): string {
  const q = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(String(x ?? ''))}`));
  return q.length ? `${r.path}?${q.join('&')}` : r.path;
}

/** Sends a built request as is (content-length is set from the body). */
export function sendRaw(server: TestServer, r: HttpRequest, opts: { agent?: Agent; body?: string | Buffer } = {}): Promise<RawResponse & { reusedSocket: boolean }> {
  const url = new URL(server.endpoint);
  const body = (opts.body ?? r.body ?? '') as string | Buffer;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname, port: url.port, method: r.method, path: pathWithQuery(r), agent: opts.agent,
      headers: { ...r.headers, 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      readResponse(res).then((r) => resolve({ ...r, reusedSocket: req.reusedSocket }), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Checks the awsJson1.1 error shape: status, `__type`, the message (absent when `message` is null), request id. */
export function assertAwsError(res: RawResponse, status: number, code: string, message?: string | RegExp | null): void {
  assert.equal(res.status, status, `status for ${code}: ${res.body}`);
  assert.ok(res.json, `a JSON body: ${res.body}`);
  assert.equal(res.json.__type, code, res.body);
  assert.equal(res.headers['x-amzn-errortype'], code);
  assert.equal(res.headers['content-type'], JSON_TYPE);
  assertRequestId(res);
  if (message === null) assert.deepEqual(Object.keys(res.json), ['__type'], `no message expected: ${res.body}`);
  else if (typeof message === 'string') assert.equal(res.json.Message, message);
  else if (message) assert.match(res.json.Message, message);
  assert.doesNotMatch(res.body, /\bat .*\.ts:\d+|node:internal|Error: /, 'no stack trace or internal error text');
}

export function assertRequestId(res: RawResponse): void {
  const id = res.headers['x-amzn-requestid'];
  assert.equal(typeof id, 'string', 'x-amzn-RequestId header');
  assert.match(id as string, /^[0-9a-f-]{36}$/);
}

/** Every secret name, sorted: the server state a malformed request must leave alone. */
export async function allSecretNames(sm: SecretsManagerClient): Promise<string[]> {
  const names: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await sm.send(new ListSecretsCommand({ NextToken, IncludePlannedDeletion: true }));
    names.push(...(out.SecretList ?? []).map((s) => s.Name!));
    NextToken = out.NextToken;
  } while (NextToken);
  return names.sort();
}

export async function assertHealthy(server: TestServer): Promise<void> {
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(`${server.endpoint}/health`, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: r.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(res.status, 200, res.body);
}
