/**
 * The front door's listener: node:http, or node:https with the same options and handler when
 * the node serves TLS. Both are `http.Server`s to their callers (https.Server extends it).
 */
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';

/** PEM certificate chain and private key the server presents. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export function listenerFor(tls: TlsMaterial | undefined, options: ServerOptions, handler: RequestListener): Server {
  if (!tls) return createServer(options, handler);
  // TLS 1.2 at least, as AWS's endpoints require.
  return createHttpsServer({ ...options, cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler);
}

/** `aws:SecureTransport`: whether the request came over TLS. */
export function isSecure(socket: Socket): boolean {
  return (socket as TLSSocket).encrypted === true;
}
