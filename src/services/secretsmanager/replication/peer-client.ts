/**
 * Calls to a peer deployment's replication API (peer-service.ts): awsJson1.1 over HTTP(S),
 * SigV4-signed for the peer's region with the credential the operator gave for it.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PeerRegion } from './options.ts';
import { ReplicationRefused } from './apply.ts';
import { PeerUnreachable, postToPeer, type PeerAnswer } from './peer-transport.ts';

export const PEER_TARGET_PREFIX = 'CofferReplication';
export type PeerOperation = 'PutReplica' | 'DeleteReplica' | 'DetachReplica';

const TIMEOUT_MS = 15_000;

export async function callPeer(peer: PeerRegion, operation: PeerOperation, payload: unknown): Promise<Record<string, unknown>> {
  if (!peer.credentials) {
    throw new ReplicationRefused(`Replication failed: no credentials for the peer deployment of ${peer.region} (--peer-credentials-file or COFFER_PEER_ACCESS_KEY_ID).`);
  }
  const url = new URL(peer.endpoint);
  const body = JSON.stringify({ Payload: JSON.stringify(payload) });
  const signer = new SignatureV4({ credentials: peer.credentials, region: peer.region, service: 'secretsmanager', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(new HttpRequest({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: url.port ? Number(url.port) : undefined, path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${PEER_TARGET_PREFIX}.${operation}` },
    body,
  }));
  let res: PeerAnswer;
  try {
    res = await postToPeer(peer, signed.headers as Record<string, string>, body, TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof PeerUnreachable)) throw err;
    if (err.certificate) {
      throw new ReplicationRefused(`Replication failed: the certificate of the peer deployment of ${peer.region} at ${peer.endpoint} is not trusted (${err.code}): give its CA with --peer-ca; retrying.`);
    }
    throw new ReplicationRefused(`Replication failed: the peer deployment of ${peer.region} at ${peer.endpoint} is unreachable (${err.code}); retrying.`);
  }
  const text = res.text;
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) as Record<string, unknown> : {};
  } catch { /* an answer that is not JSON is reported by status below */ }
  if (res.status < 200 || res.status > 299) {
    const code = String(parsed.__type ?? `HTTP ${res.status}`);
    // `message`: a throttled peer answers in lowercase, as AWS's throttling does.
    const message = parsed.Message ?? parsed.message;
    throw new ReplicationRefused(`Replication failed: the peer deployment of ${peer.region} answered ${code}${message ? `: ${String(message)}` : ''}`);
  }
  const out = typeof parsed.Payload === 'string' ? JSON.parse(parsed.Payload) as Record<string, unknown> : {};
  // The peer could not make the replica as things are there (a name taken, a key missing): its words.
  if (typeof out.Refused === 'string') throw new ReplicationRefused(out.Refused);
  return out;
}
