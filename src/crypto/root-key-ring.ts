/**
 * The root key ring: every generation of the root key this process knows, and the one new
 * values are sealed under. Several generations coexist while `coffer root-key rotate`
 * re-wraps the stored values, so a server keeps reading and writing throughout.
 *
 * Sealed layout (format 2):
 *
 *   0x02 | generation (uint32 BE) | wrapped data key (61 bytes) | body
 *
 * where the wrapped data key is a fresh 256-bit key sealed under that generation's root key
 * (additional data names the generation, so a forged header fails to open) and the body is
 * the plaintext sealed under the data key with the caller's additional data (an access key
 * id, a key ARN and material version, …). Rotation re-wraps only the 61-byte data key: it
 * never opens a body, so it needs to know nothing about the rows it re-seals and never
 * holds an access key secret or KMS key material in memory.
 *
 * Format 1 (a bare `aead.seal` under the root key, first byte 0x01) is what coffer wrote
 * before generations existed; it is read as generation 1.
 */
import { KEY_BYTES, newKey, open as aeadOpen, seal as aeadSeal, SealError } from './aead.ts';

/** Seals and opens small secrets under the root key; what the stores that keep them take. */
export interface RootKeySealer {
  seal(plaintext: Buffer, aad: string): Buffer;
  open(sealed: Buffer, aad: string): Buffer;
}

export const RING_FORMAT = 2;
const LEGACY_FORMAT = 1;
const HEADER_BYTES = 5;
/** aead.seal of a 32-byte key: format byte, IV, key, tag. */
const WRAPPED_BYTES = 1 + 12 + KEY_BYTES + 16;

const dekAad = (generation: number) => `coffer-root-dek:${generation}`;

/** A sealed value names a root key generation this process does not hold. */
export class UnknownGenerationError extends SealError {
  constructor(readonly generation: number) {
    super(`sealed under root key generation ${generation}, which this process does not hold`);
  }
}

/** The ring has not been refreshed for too long to know it seals under the right generation. */
export class StaleRingError extends Error {}

/** The first bytes of every value sealed under `generation`: what the rotation looks for. */
export function ringHeader(generation: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = RING_FORMAT;
  header.writeUInt32BE(generation, 1);
  return header;
}

/** The generation a sealed value was sealed under (format 1 is generation 1). */
export function generationOf(sealed: Buffer): number {
  if (sealed.length > 0 && sealed[0] === LEGACY_FORMAT) return 1;
  if (sealed.length < HEADER_BYTES + WRAPPED_BYTES || sealed[0] !== RING_FORMAT) throw new SealError('unrecognized sealed data');
  return sealed.readUInt32BE(1);
}

export function isLegacySealed(sealed: Buffer): boolean {
  return sealed.length > 0 && sealed[0] === LEGACY_FORMAT;
}

export class RootKeyRing implements RootKeySealer {
  private readonly keys = new Map<number, Buffer>();
  private sealing: number;
  /** performance.now() after which `seal` refuses; see `freshFor`. */
  private freshUntil = Infinity;
  /** Called when a value names a generation the ring lacks (the watcher refreshes early). */
  onUnknownGeneration?: (generation: number) => void;

  constructor(generation: number, key: Buffer) {
    this.add(generation, key);
    this.sealing = generation;
  }

  /** The generation new values are sealed under. */
  get sealingGeneration(): number {
    return this.sealing;
  }

  generations(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  has(generation: number): boolean {
    return this.keys.has(generation);
  }

  /** The key of a generation, for wrapping one generation's key under another. */
  keyOf(generation: number): Buffer {
    const key = this.keys.get(generation);
    if (!key) throw new UnknownGenerationError(generation);
    return key;
  }

  add(generation: number, key: Buffer): void {
    if (!Number.isInteger(generation) || generation < 1 || generation > 0xffffffff) throw new RangeError(`bad root key generation ${generation}`);
    if (key.length !== KEY_BYTES) throw new RangeError('a root key is 32 bytes');
    this.keys.set(generation, Buffer.from(key));
  }

  /** Seal new values under `generation` from now on. */
  sealWith(generation: number): void {
    this.keyOf(generation);
    this.sealing = generation;
  }

  /** Drops a retired generation from memory (never the sealing one). */
  forget(generation: number): void {
    if (generation === this.sealing) return;
    this.keys.get(generation)?.fill(0);
    this.keys.delete(generation);
  }

  /**
   * Sealing is allowed for `ms` more milliseconds. A rotation waits that long after it adds a
   * generation before it re-wraps anything, so a process that has not looked at the database
   * since (and might still seal under the old generation) stops sealing first.
   */
  freshFor(ms: number): void {
    this.freshUntil = performance.now() + ms;
  }

  seal(plaintext: Buffer, aad: string): Buffer {
    if (performance.now() > this.freshUntil) {
      throw new StaleRingError('the root key ring has not been refreshed from the database recently; refusing to seal under a generation that may have been rotated');
    }
    const generation = this.sealing;
    const dek = newKey();
    try {
      const wrapped = aeadSeal(this.keyOf(generation), dek, dekAad(generation));
      return Buffer.concat([ringHeader(generation), wrapped, aeadSeal(dek, plaintext, aad)]);
    } finally {
      dek.fill(0);
    }
  }

  open(sealed: Buffer, aad: string): Buffer {
    const generation = generationOf(sealed);
    const key = this.keys.get(generation);
    if (!key) {
      this.onUnknownGeneration?.(generation);
      throw new UnknownGenerationError(generation);
    }
    if (isLegacySealed(sealed)) return aeadOpen(key, sealed, aad);
    const dek = aeadOpen(key, sealed.subarray(HEADER_BYTES, HEADER_BYTES + WRAPPED_BYTES), dekAad(generation));
    try {
      return aeadOpen(dek, sealed.subarray(HEADER_BYTES + WRAPPED_BYTES), aad);
    } finally {
      dek.fill(0);
    }
  }

  /**
   * The same value sealed under `to` (default: the sealing generation): only the data key is
   * unwrapped and wrapped again; the body is copied as it is. Format 1 values have no data key
   * and are re-sealed by the caller, who knows their additional data (see legacy-sealed.ts).
   */
  rewrap(sealed: Buffer, to: number = this.sealing): Buffer {
    if (isLegacySealed(sealed)) throw new SealError('a format 1 value needs its additional data to be re-sealed');
    const from = generationOf(sealed);
    if (from === to) return sealed;
    const dek = aeadOpen(this.keyOf(from), sealed.subarray(HEADER_BYTES, HEADER_BYTES + WRAPPED_BYTES), dekAad(from));
    try {
      const wrapped = aeadSeal(this.keyOf(to), dek, dekAad(to));
      return Buffer.concat([ringHeader(to), wrapped, sealed.subarray(HEADER_BYTES + WRAPPED_BYTES)]);
    } finally {
      dek.fill(0);
    }
  }
}
