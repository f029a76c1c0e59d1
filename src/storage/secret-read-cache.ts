/**
 * Secret rows and the version rows GetSecretValue resolves, kept in memory so the hot path
 * reads no database at all. Only sealed bytes and metadata are kept (what the database
 * holds): never a data key or a plaintext value.
 *
 * Correct only while this process hears of every write: the repository drops a secret's
 * entries after each write to it commits (every write goes through `withSecretLock`, the
 * day's LastAccessedDate touch and purge included; CreateSecret inserts a row nobody can
 * have cached, because "not found" is never cached). A read that raced with a write must not
 * put what it read back after the write dropped it: every read takes a ticket before it
 * queries, and a result whose ticket is older than the last invalidation is not kept.
 *
 * Several nodes over PostgreSQL: a local invalidation is published to the other nodes
 * (`CacheSync`), which drop the secret through `dropRemote` — the same generation bump, so a
 * read that raced with a remote write is not kept either. While the node cannot be sure it
 * hears every change (`sync.trusted()` false), the cache neither answers nor keeps.
 *
 * Bounded by the number of secrets and by the bytes of sealed values held; the oldest
 * secrets go first.
 */
import type { SecretRow, VersionRow } from './secret-repository.ts';
import { LOCAL_ONLY, type CacheSync } from '../cluster/cache-sync.ts';

interface Entry {
  row?: SecretRow;
  /** Index keys (name, ARN) that point at this entry, to drop with it. */
  keys: Set<string>;
  /** `s:<stage>` or `v:<version id>` → the version row with all its labels. */
  versions: Map<string, VersionRow>;
  bytes: number;
}

export interface ReadCacheLimits {
  maxSecrets: number;
  maxBytes: number;
  /** Version rows kept per secret (by label or by id). */
  maxVersionsPerSecret: number;
}

const DEFAULT_LIMITS: ReadCacheLimits = { maxSecrets: 10_000, maxBytes: 64 * 1024 * 1024, maxVersionsPerSecret: 16 };
/** A rough per-row overhead beyond the sealed bytes: ids, ARN, labels, object headers. */
const ROW_OVERHEAD = 1024;

export const nameKey = (accountId: string, region: string, name: string) => `n\n${accountId}\n${region}\n${name}`;
export const arnKey = (arn: string) => `a\n${arn}`;
export const stageKey = (stage: string) => `s:${stage}`;
export const versionIdKey = (versionId: string) => `v:${versionId}`;

export class SecretReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly index = new Map<string, string>();
  private generation = 0;
  private bytes = 0;
  /** Lookups answered from memory and not (for /metrics). */
  hits = 0;
  misses = 0;

  constructor(private readonly limits: ReadCacheLimits = DEFAULT_LIMITS, private readonly sync: CacheSync = LOCAL_ONLY) {}

  /** Taken before a database read whose result may be cached. */
  ticket(): number {
    return this.generation;
  }

  secret(key: string): SecretRow | undefined {
    const id = this.index.get(key);
    const row = id === undefined || !this.sync.trusted() ? undefined : this.entries.get(id)?.row;
    if (row === undefined) this.misses++;
    else this.hits++;
    return row;
  }

  /** Keeps `row` under `key` unless a write happened since `ticket`; returns the row to use. */
  putSecret(ticket: number, key: string, row: SecretRow): SecretRow {
    if (ticket !== this.generation || !this.sync.trusted()) return row;
    const entry = this.entry(row.id);
    if (!entry.row) {
      entry.row = Object.freeze({ ...row });
      this.charge(entry, ROW_OVERHEAD);
    }
    entry.keys.add(key);
    this.index.set(key, row.id);
    this.evict();
    return entry.row;
  }

  version(secretId: string, key: string): VersionRow | undefined {
    const version = this.sync.trusted() ? this.entries.get(secretId)?.versions.get(key) : undefined;
    if (version === undefined) this.misses++;
    else this.hits++;
    return version;
  }

  putVersion(ticket: number, secretId: string, key: string, version: VersionRow): VersionRow {
    if (ticket !== this.generation || !this.sync.trusted()) return version;
    const entry = this.entry(secretId);
    if (entry.versions.size >= this.limits.maxVersionsPerSecret) {
      this.charge(entry, -sizeOfVersions(entry.versions));
      entry.versions.clear();
    }
    const frozen = Object.freeze({ ...version, stages: Object.freeze([...version.stages]) as string[] });
    entry.versions.set(key, frozen);
    this.charge(entry, sizeOf(frozen));
    this.evict();
    return frozen;
  }

  /** Drops everything known about a secret and tells the other nodes; call after a write to it has committed. */
  invalidate(secretId: string): void {
    this.dropRemote(secretId);
    this.sync.publish('secret', secretId);
  }

  /** Another node wrote the secret: drop it here, telling no one. */
  dropRemote(secretId: string): void {
    this.generation++;
    const entry = this.entries.get(secretId);
    if (entry) this.drop(secretId, entry);
  }

  /** Forgets everything (this node may have missed changes); reads in flight are not kept. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.index.clear();
    this.bytes = 0;
  }

  get size(): { secrets: number; bytes: number } {
    return { secrets: this.entries.size, bytes: this.bytes };
  }

  private entry(secretId: string): Entry {
    let entry = this.entries.get(secretId);
    if (!entry) {
      entry = { keys: new Set(), versions: new Map(), bytes: 0 };
      this.entries.set(secretId, entry);
    }
    return entry;
  }

  private charge(entry: Entry, bytes: number): void {
    entry.bytes += bytes;
    this.bytes += bytes;
  }

  private drop(secretId: string, entry: Entry): void {
    this.entries.delete(secretId);
    for (const key of entry.keys) if (this.index.get(key) === secretId) this.index.delete(key);
    this.bytes -= entry.bytes;
  }

  private evict(): void {
    while (this.entries.size > this.limits.maxSecrets || (this.bytes > this.limits.maxBytes && this.entries.size > 1)) {
      const [oldestId, oldest] = this.entries.entries().next().value!;
      this.drop(oldestId, oldest);
    }
  }
}

function sizeOf(v: VersionRow): number {
  return ROW_OVERHEAD + (v.ciphertext?.length ?? 0) + (v.encrypted_data_key?.length ?? 0);
}

function sizeOfVersions(versions: Map<string, VersionRow>): number {
  let n = 0;
  for (const v of versions.values()) n += sizeOf(v);
  return n;
}
