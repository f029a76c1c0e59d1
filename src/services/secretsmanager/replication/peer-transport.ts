/**
 * One POST to a peer deployment over HTTP or HTTPS. node:https rather than fetch because
 * Node 20's fetch cannot be given CA certificates: a peer with `--tls self-signed` or a
 * private CA is trusted through `--peer-ca` (PeerRegion.ca), added to the system's roots so
 * peers with public certificates keep working. The peer's name is verified against its
 * certificate as any HTTPS client does (node's checkServerIdentity): a certificate for another
 * host is refused even when its CA is trusted.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import type { PeerRegion } from './options.ts';

export interface PeerAnswer {
  status: number;
  text: string;
}

/** A peer that could not be asked (refused, timed out, or its certificate not trusted). */
export class PeerUnreachable extends Error {
  constructor(readonly code: string, readonly certificate: boolean) {
    super(code);
  }
}

// One keep-alive agent per peer: pushes come every interval, and a TLS handshake each time would waste both ends.
const agents = new WeakMap<PeerRegion, HttpAgent | HttpsAgent>();

function agentFor(peer: PeerRegion, https: boolean): HttpAgent | HttpsAgent {
  let agent = agents.get(peer);
  if (!agent) {
    agent = https
      ? new HttpsAgent({ keepAlive: true, maxSockets: 4, minVersion: 'TLSv1.2', ...(peer.ca ? { ca: [...rootCertificates, peer.ca] } : {}) })
      : new HttpAgent({ keepAlive: true, maxSockets: 4 });
    agents.set(peer, agent);
  }
  return agent;
}

// OpenSSL's and node's codes for a certificate the client does not accept (name or chain).
const CERTIFICATE_CODES = /^(ERR_TLS_CERT_ALTNAME_INVALID|CERT_|UNABLE_TO_|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|HOSTNAME_MISMATCH)/;

export function postToPeer(peer: PeerRegion, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PeerAnswer> {
  const url = new URL(`${peer.endpoint}/`);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      agent: agentFor(peer, https),
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(timeoutMs),
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => reject(unreachable(err)));
    });
    req.on('error', (err) => reject(unreachable(err)));
    req.end(body);
  });
}

function unreachable(err: Error): PeerUnreachable {
  const e = err as NodeJS.ErrnoException & { cause?: { name?: string } };
  const code = e.name === 'AbortError' ? (e.cause?.name === 'TimeoutError' ? 'TimeoutError' : 'AbortError') : (e.code ?? e.name);
  return new PeerUnreachable(code, CERTIFICATE_CODES.test(code));
}
