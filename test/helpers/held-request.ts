/**
 * Signed requests whose timing a test controls: written except for their last body byte
 * (so the server has the request in hand but cannot finish it), or written completely and
 * known to have left this process. Used to put requests in flight across a SIGTERM.
 */
import { request as httpRequest, type Agent, type ClientRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import type { TestServer } from './server.ts';
import { readResponse, type RawResponse } from './raw.ts';

export interface HeldRequest {
  /** Resolves once the written bytes have been handed to the operating system. */
  written: Promise<void>;
  /** Sends the last byte. */
  release(): void;
  response: Promise<RawResponse>;
}

async function signed(server: TestServer, target: string, body: string): Promise<{ path: string; headers: Record<string, string> }> {
  const url = new URL(server.endpoint);
  const req = new HttpRequest({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', body,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
  });
  const signer = new SignatureV4({ credentials: server.root, region: 'us-east-1', service: 'secretsmanager', sha256: Hash.bind(null, 'sha256') });
  const out = (await signer.sign(req)) as HttpRequest;
  return { path: out.path, headers: out.headers };
}

function responseOf(r: ClientRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    r.on('response', (res) => {
      readResponse(res).then(resolve, reject);
    });
    r.on('error', reject);
  });
}

/** A signed awsJson request; `hold` keeps its last byte back until `release()`. */
export async function startRequest(server: TestServer, target: string, input: unknown, opts: { agent?: Agent | false; hold?: boolean } = {}): Promise<HeldRequest> {
  const body = Buffer.from(JSON.stringify(input), 'utf8');
  const { path, headers } = await signed(server, target, body.toString('utf8'));
  const url = new URL(server.endpoint);
  const r = httpRequest({ host: url.hostname, port: url.port, method: 'POST', path, agent: opts.agent, headers: { ...headers, 'content-length': String(body.length) } });
  const response = responseOf(r);
  response.catch(() => undefined); // observed by the test through `response`
  const head = opts.hold ? body.subarray(0, body.length - 1) : body;
  const written = new Promise<void>((resolve, reject) => {
    r.once('error', reject);
    r.write(head, (err) => (err ? reject(err) : resolve()));
  });
  if (!opts.hold) r.end();
  return { written, response, release: () => { if (opts.hold) r.end(body.subarray(body.length - 1)); } };
}
