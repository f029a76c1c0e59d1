/**
 * CloudTrail's `tlsDetails` of a request that came over TLS: the protocol version and cipher
 * suite the connection negotiated, in OpenSSL's spelling as CloudTrail writes them
 * (`TLSv1.3`, `TLS_AES_128_GCM_SHA256`, `ECDHE-RSA-AES128-GCM-SHA256`), and the Host header
 * the client sent. Undefined for plain HTTP.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface TlsDetails {
  tlsVersion: string;
  cipherSuite: string;
  clientProvidedHostHeader: string;
}

export function tlsDetailsOf(req: IncomingMessage): TlsDetails | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.encrypted !== true) return undefined;
  return {
    tlsVersion: socket.getProtocol() ?? '',
    cipherSuite: socket.getCipher()?.name ?? '',
    clientProvidedHostHeader: req.headers.host ?? '',
  };
}
