/**
 * The hash chain and the signed digests that make the trail tamper-evident.
 *
 * An event's hash covers its chain, the previous event's hash and the event's JSON exactly as
 * stored, so changing an event breaks its own hash, and removing or moving one breaks the link
 * of the event after it. The hash leaves out `seq` on purpose: an event moved to another
 * position keeps a valid hash of its own, and verify can say where it came from.
 *
 * Anyone with database access could rewrite a whole chain with fresh hashes; the digests stop
 * that: each fixes a chain's head under an HMAC whose key is derived (HKDF) from the root key,
 * which the database never holds, and links to the previous digest's signature.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The `prev_hash` of a chain's first event. */
export const genesisHash = (chainId: string): string => sha256(`coffer-audit-genesis\n${chainId}`);

export const eventHash = (prevHash: string, chainId: string, eventJson: string): string =>
  sha256(`${prevHash}\n${chainId}\n${eventJson}`);

/** The digest signing key derived from one root key generation's key (HKDF-SHA256). */
export function digestKey(rootKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'coffer audit digest v1', 32));
}

export interface DigestFields {
  digestSeq: number;
  chainId: string;
  seq: number;
  headHash: string;
  createdAt: number;
  prevSignature: string;
  keyGeneration: number;
}

/** The `prev_signature` of the first digest. */
export const FIRST_DIGEST = 'none';

export function signDigest(key: Buffer, d: DigestFields): string {
  const text = JSON.stringify([d.digestSeq, d.chainId, d.seq, d.headHash, d.createdAt, d.prevSignature, d.keyGeneration]);
  return createHmac('sha256', key).update(text).digest('hex');
}
