/**
 * The ciphertext blob KMS hands out: it names its key and key-material version, as AWS's
 * blobs do, so Decrypt needs no KeyId.
 *
 * Layout: "CFK1" | key id length (1 byte) | key id (ASCII) | material version (uint32 BE) | sealed bytes.
 */
const MAGIC = Buffer.from('CFK1', 'ascii');

export interface CiphertextBlob {
  keyId: string;
  materialVersion: number;
  sealed: Buffer;
}

export function encodeBlob(blob: CiphertextBlob): Buffer {
  const id = Buffer.from(blob.keyId, 'ascii');
  const version = Buffer.alloc(4);
  version.writeUInt32BE(blob.materialVersion);
  return Buffer.concat([MAGIC, Buffer.from([id.length]), id, version, blob.sealed]);
}

/** Returns undefined for bytes that are not a coffer ciphertext blob. */
export function decodeBlob(bytes: Buffer): CiphertextBlob | undefined {
  if (bytes.length < 10 || !bytes.subarray(0, 4).equals(MAGIC)) return undefined;
  const idLength = bytes[4]!;
  if (bytes.length < 5 + idLength + 4 + 1) return undefined;
  const keyId = bytes.subarray(5, 5 + idLength).toString('ascii');
  const materialVersion = bytes.readUInt32BE(5 + idLength);
  return { keyId, materialVersion, sealed: bytes.subarray(9 + idLength) };
}

/** Encryption context as canonical additional data: keys sorted, so order never matters. */
export function contextAad(keyArn: string, context: Record<string, string> | undefined): string {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([keyArn, entries]);
}
