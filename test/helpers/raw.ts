/**
 * Hand-built requests for what the SDKs never send: malformed bodies, unknown targets,
 * bad or missing signatures. Signed with AWS's own signer unless a test tampers with it.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import type { Credentials, TestServer } from './server.ts';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json?: any;
}

export interface RawRequest {
  target?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  method?: string;
  path?: string;
  /** Sign with these credentials (default: the server's root); null sends no signature. */
  credentials?: Credentials | null;
  region?: string;
  service?: string;
  /** Pretend the request was signed at this time. */
  signingDate?: Date;
}

export async function signedRequest(server: TestServer, req: RawRequest): Promise<RawResponse> {
  const body = req.body === undefined ? '' : req.body;
  const url = new URL(server.endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    ...(req.target ? { 'x-amz-target': req.target } : {}),
    ...req.headers,
  };
  let signed = new HttpRequest({ method: req.method ?? 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: req.path ?? '/', headers, body });
  if (req.credentials !== null) {
    const signer = new SignatureV4({
      credentials: req.credentials ?? server.root,
      region: req.region ?? 'us-east-1',
      service: req.service ?? 'secretsmanager',
      sha256: Hash.bind(null, 'sha256'),
    });
    signed = (await signer.sign(signed, { signingDate: req.signingDate })) as HttpRequest;
  }
  return send(server, signed.method, signed.path, signed.headers, body);
}

export function send(server: TestServer, method: string, path: string, headers: Record<string, string>, body: string | Buffer): Promise<RawResponse> {
  const url = new URL(server.endpoint);
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      readResponse(res).then(resolve, reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** The whole response, with the body parsed as JSON when it is JSON. */
export function readResponse(res: IncomingMessage): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', reject);
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = JSON.parse(text); } catch { json = undefined; }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
    });
  });
}
