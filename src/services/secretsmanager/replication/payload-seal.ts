/**
 * Secret values on their way to a peer deployment are sealed, whatever the transport: with
 * AES-256-GCM under a key both ends derive from the secret access key of the credential that
 * signs the call (the peer holds it to verify SigV4) and a fresh nonce per call, the replica
 * ARN and version id bound as additional data. So a value crosses plain HTTP, a proxy's log or
 * a TLS-terminating load balancer sealed, and only the peer that owns the credential opens it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { open, seal, SealError } from '../../../crypto/aead.ts';
import { AwsError } from '../../../errors.ts';
import type { SecretSnapshot, SnapshotVersion } from './snapshot.ts';

export interface WireVersion {
  versionId: string;
  createdAt: number;
  stages: string[];
  kind?: 'string' | 'binary';
  /** base64 of the sealed value. */
  sealed?: string;
}

export type WireSnapshot = Omit<SecretSnapshot, 'versions'> & { nonce: string; versions: WireVersion[] };

function payloadKey(secretAccessKey: string, nonce: string): Buffer {
  return createHmac('sha256', Buffer.from(secretAccessKey, 'utf8')).update(`coffer-replication-v1\n${nonce}`).digest();
}

const aad = (replicaArn: string, v: { versionId: string; kind?: string }) => `${replicaArn}\n${v.versionId}\n${v.kind}`;

export function sealSnapshot(snapshot: SecretSnapshot, secretAccessKey: string, replicaArn: string): WireSnapshot {
  const nonce = randomBytes(16).toString('base64');
  const key = payloadKey(secretAccessKey, nonce);
  try {
    const versions = snapshot.versions.map((v): WireVersion => {
      const wire: WireVersion = { versionId: v.versionId, createdAt: v.createdAt, stages: v.stages };
      if (v.value) {
        wire.kind = v.value.kind;
        const bytes = v.value.kind === 'string' ? Buffer.from(v.value.text, 'utf8') : v.value.bytes;
        wire.sealed = seal(key, bytes, aad(replicaArn, wire)).toString('base64');
      }
      return wire;
    });
    return { ...snapshot, nonce, versions };
  } finally {
    key.fill(0);
  }
}

export function openSnapshot(wire: WireSnapshot, secretAccessKey: string, replicaArn: string): SecretSnapshot {
  const key = payloadKey(secretAccessKey, wire.nonce);
  try {
    const versions = wire.versions.map((v): SnapshotVersion => {
      const out: SnapshotVersion = { versionId: v.versionId, createdAt: v.createdAt, stages: v.stages };
      if (v.sealed !== undefined) {
        const bytes = open(key, Buffer.from(v.sealed, 'base64'), aad(replicaArn, v));
        out.value = v.kind === 'binary' ? { kind: 'binary', bytes } : { kind: 'string', text: bytes.toString('utf8') };
      }
      return out;
    });
    const { nonce: _, versions: __, ...rest } = wire;
    return { ...rest, versions };
  } catch (err) {
    if (err instanceof SealError) throw new AwsError('InvalidRequestException', 'The replicated values could not be opened: they were not sealed for this credential and replica.');
    throw err;
  } finally {
    key.fill(0);
  }
}
