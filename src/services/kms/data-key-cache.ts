/**
 * Unwrapped data keys, kept in memory for a short while so that reading the same secret
 * version again skips the unwrap (one AES-GCM open under the KMS key's material).
 *
 * What it may and may not do: it caches only the result of the unwrap, which is a pure
 * function of (ciphertext blob, encryption context) — AES-GCM authenticates both, so a hit
 * returns exactly what a fresh unwrap would. It never decides anything: callers check the
 * key's state and ask the authorization hook on every use before they look here, so a
 * disabled key or a revoked permission takes effect on the very next request.
 *
 * Bounded by entries and by age; never written anywhere but this process's memory. Evicted
 * and expired keys are zeroed. `get` hands out a copy, so a caller may zero what it got and
 * an eviction can't change a key another request is still using.
 */

export interface DataKeyCacheOptions {
  /** At most this many keys (default 1,024). 0 disables the cache. */
  maxEntries?: number;
  /** A key is dropped this long after it was unwrapped (default 60 s). 0 disables the cache. */
  maxAgeMs?: number;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

interface Entry {
  key: Buffer;
  expiresAt: number;
}

export const DEFAULT_DATA_KEY_CACHE = { maxEntries: 1024, maxAgeMs: 60_000 } as const;

export class DataKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(options: DataKeyCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_DATA_KEY_CACHE.maxEntries;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_DATA_KEY_CACHE.maxAgeMs;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.maxEntries > 0 && this.maxAgeMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A copy of the cached key, or undefined (absent or expired). */
  get(id: string): Buffer | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      this.misses++;
      return undefined;
    }
    if (entry.expiresAt <= this.now()) {
      this.drop(id, entry);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return Buffer.from(entry.key);
  }

  /** Keeps a copy of `key` (the caller may zero its own). */
  put(id: string, key: Buffer): void {
    if (!this.enabled) return;
    const now = this.now();
    const previous = this.entries.get(id);
    if (previous !== undefined) this.drop(id, previous);
    // Insertion order is age order (every entry lives maxAgeMs), so the oldest are first:
    // expired ones are swept from the front, and a full cache evicts its oldest.
    for (const [oldId, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) break;
      this.drop(oldId, entry);
    }
    this.entries.set(id, { key: Buffer.from(key), expiresAt: now + this.maxAgeMs });
  }

  clear(): void {
    for (const [id, entry] of this.entries) this.drop(id, entry);
  }

  private drop(id: string, entry: Entry): void {
    entry.key.fill(0);
    this.entries.delete(id);
  }
}

/**
 * The cache identity of an unwrap: the blob's bytes and the encryption context (keys sorted,
 * so the order a caller built it in does not matter). Every field is length-prefixed, so no
 * two different (blob, context) pairs can share an identity whatever characters they hold.
 */
export function dataKeyCacheId(blob: Buffer, context: Readonly<Record<string, string>>): string {
  const keys = Object.keys(context);
  if (keys.length > 1) keys.sort();
  let id = `${blob.length}:${blob.toString('latin1')}`;
  for (const k of keys) {
    const v = context[k]!;
    id += `${k.length}:${k}${v.length}:${v}`;
  }
  return id;
}
