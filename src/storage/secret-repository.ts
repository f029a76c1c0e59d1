/**
 * Secrets Manager's rows: secrets, their versions and the staging labels that point at
 * versions. Everything here is sealed bytes and metadata; plaintext never comes this far.
 *
 * Writers on one secret serialize on the secret's row (`SELECT … FOR UPDATE` on PostgreSQL;
 * SQLite has one writer at a time), and the (secret, label) primary key makes a label unique
 * whatever the interleaving.
 *
 * Reads outside a transaction go through a read cache (secret-read-cache.ts): on SQLite, where
 * this node is the database's only user, and over PostgreSQL when the cluster's change bus
 * keeps it in step with the other nodes (`sync`). Every write to an existing secret must go
 * through `withSecretLock`, which drops the secret's cached rows once the write committed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, SecretTable, SecretVersionTable } from './schema.ts';
import type { Dialect } from './database.ts';
import { transaction } from './transaction.ts';
import { replicatedState } from './replicated-state.ts';
import { arnKey, nameKey, SecretReadCache, stageKey, versionIdKey } from './secret-read-cache.ts';
import type { CacheSync } from '../cluster/cache-sync.ts';

export type SecretRow = SecretTable;
export type VersionRow = Omit<SecretVersionTable, 'secret_id'> & { stages: string[] };
export type Db = Kysely<Database> | Transaction<Database>;

export interface RepositoryOptions {
  /**
   * Keep secret and version rows in memory between writes. Correct only when this process
   * hears of every write: on by default on SQLite (one node) and whenever `sync` is given
   * (PostgreSQL with the cluster's change bus); off otherwise.
   */
  readCache?: boolean;
  /** How the cache hears of other nodes' writes and tells them of this one's (src/cluster/). */
  sync?: CacheSync;
}

export class SecretRepository {
  private readonly cache: SecretReadCache | undefined;

  constructor(readonly db: Kysely<Database>, readonly dialect: Dialect, options: RepositoryOptions = {}) {
    if (options.readCache ?? (dialect === 'sqlite' || options.sync !== undefined)) this.cache = new SecretReadCache(undefined, options.sync);
  }

  /** The read cache, if on (its hit and miss counts are exported at /metrics). */
  get readCache(): SecretReadCache | undefined {
    return this.cache;
  }

  /** The cache to use for a read on `db`: none inside a transaction, which must see its own writes. */
  private cacheFor(db: Db): SecretReadCache | undefined {
    return db === this.db ? this.cache : undefined;
  }

  /** Runs `fn` in one transaction, rerun from the start when a concurrent writer aborts it. */
  async transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return transaction(this.db, fn);
  }

  /** Runs `fn` in one transaction holding the secret's row lock. */
  async withSecretLock<T>(secretId: string, fn: (trx: Transaction<Database>, secret: SecretRow | undefined) => Promise<T>): Promise<T> {
    try {
      return await transaction(this.db, async (trx) => {
        let query = trx.selectFrom('secrets').selectAll().where('id', '=', secretId);
        if (this.dialect === 'postgres') query = query.forUpdate();
        const secret = await query.executeTakeFirst();
        // A primary with replicas: what they hold, to queue a push only if the write changes it.
        const before = secret && secret.primary_region === secret.region ? await replicatedState(trx, secretId) : undefined;
        const result = await fn(trx, secret);
        // Queues the change for the secret's replicas in the same transaction, so a write that
        // was acknowledged is never missing from them (src/services/secretsmanager/replication/).
        // Replicas added by this write were queued by addReplicas itself.
        if (before !== undefined && (await replicatedState(trx, secretId)) !== before) await queueReplication(trx, secretId);
        return result;
      });
    } finally {
      // After commit (or rollback): readers from now on see the new rows.
      this.cache?.invalidate(secretId);
    }
  }

  async byArn(arn: string, db: Db = this.db): Promise<SecretRow | undefined> {
    const cache = this.cacheFor(db);
    const key = cache && arnKey(arn);
    const hit = key && cache.secret(key);
    if (hit) return hit;
    const ticket = cache?.ticket();
    const row = await db.selectFrom('secrets').selectAll().where('arn', '=', arn).executeTakeFirst();
    return row && key ? cache.putSecret(ticket!, key, row) : row;
  }

  async byName(accountId: string, region: string, name: string, db: Db = this.db): Promise<SecretRow | undefined> {
    const cache = this.cacheFor(db);
    const key = cache && nameKey(accountId, region, name);
    const hit = key && cache.secret(key);
    if (hit) return hit;
    const ticket = cache?.ticket();
    const row = await db.selectFrom('secrets').selectAll()
      .where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name)
      .executeTakeFirst();
    return row && key ? cache.putSecret(ticket!, key, row) : row;
  }

  async listInRegion(accountId: string, region: string): Promise<SecretRow[]> {
    return this.db.selectFrom('secrets').selectAll().where('account_id', '=', accountId).where('region', '=', region).execute();
  }

  /** Labels of every version of several secrets, for listings. */
  async stagesOf(secretIds: string[]): Promise<Map<string, Map<string, string[]>>> {
    const out = new Map<string, Map<string, string[]>>();
    if (secretIds.length === 0) return out;
    const rows = [] as { secret_id: string; version_id: string; stage: string }[];
    for (let i = 0; i < secretIds.length; i += 500) {
      rows.push(...await this.db.selectFrom('secret_version_stages').select(['secret_id', 'version_id', 'stage'])
        .where('secret_id', 'in', secretIds.slice(i, i + 500)).execute());
    }
    for (const r of rows) {
      let versions = out.get(r.secret_id);
      if (!versions) out.set(r.secret_id, (versions = new Map()));
      const labels = versions.get(r.version_id);
      if (labels) labels.push(r.stage); else versions.set(r.version_id, [r.stage]);
    }
    return out;
  }

  /** Every version with its labels, newest first; one statement, so one snapshot. */
  async versions(secretId: string, db: Db = this.db): Promise<VersionRow[]> {
    const rows = await db.selectFrom('secret_versions as v')
      .leftJoin('secret_version_stages as s', (j) => j.onRef('s.secret_id', '=', 'v.secret_id').onRef('s.version_id', '=', 'v.version_id'))
      .selectAll('v').select('s.stage')
      .where('v.secret_id', '=', secretId).orderBy('v.seq', 'desc')
      .execute();
    const out = new Map<string, VersionRow>();
    for (const { secret_id: _, stage, ...v } of rows) {
      let version = out.get(v.version_id);
      if (!version) out.set(v.version_id, (version = { ...v, stages: [] }));
      if (stage !== null) version.stages.push(stage);
    }
    for (const v of out.values()) sortStages(v.stages);
    return [...out.values()];
  }

  /** The version a GetSecretValue names (by id, or by label), with all its labels. */
  async version(secretId: string, by: { versionId?: string; stage?: string }, db: Db = this.db): Promise<VersionRow | undefined> {
    const cache = this.cacheFor(db);
    const key = cache && (by.versionId !== undefined ? versionIdKey(by.versionId) : stageKey(by.stage ?? 'AWSCURRENT'));
    const hit = key && cache.version(secretId, key);
    if (hit) return hit;
    const ticket = cache?.ticket();
    const row = await this.loadVersion(secretId, by, db);
    return row && key ? cache.putVersion(ticket!, secretId, key, row) : row;
  }

  /**
   * One statement, so the label lookup, the row and its labels come from one snapshot: as
   * separate queries, a label move committed in between made GetSecretValue answer with the
   * version AWSCURRENT had left, listing labels without AWSCURRENT.
   */
  private async loadVersion(secretId: string, by: { versionId?: string; stage?: string }, db: Db): Promise<VersionRow | undefined> {
    const withStages = by.versionId !== undefined
      ? db.selectFrom('secret_versions as v').where('v.secret_id', '=', secretId).where('v.version_id', '=', by.versionId)
      : db.selectFrom('secret_version_stages as named')
        .innerJoin('secret_versions as v', (j) => j.onRef('v.secret_id', '=', 'named.secret_id').onRef('v.version_id', '=', 'named.version_id'))
        .where('named.secret_id', '=', secretId).where('named.stage', '=', by.stage ?? 'AWSCURRENT');
    const rows = await withStages
      .leftJoin('secret_version_stages as s', (j) => j.onRef('s.secret_id', '=', 'v.secret_id').onRef('s.version_id', '=', 'v.version_id'))
      .selectAll('v').select('s.stage')
      .execute();
    if (rows.length === 0) return undefined;
    const { secret_id: _, stage: __, ...v } = rows[0]!;
    return { ...v, stages: sortStages(rows.flatMap((r) => (r.stage === null ? [] : [r.stage]))) };
  }

  async nextSeq(trx: Db, secretId: string): Promise<number> {
    const row = await trx.selectFrom('secret_versions').select((eb) => eb.fn.max('seq').as('max')).where('secret_id', '=', secretId).executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  }

  async insertVersion(trx: Db, secretId: string, v: Omit<SecretVersionTable, 'secret_id' | 'seq'>): Promise<void> {
    const seq = await this.nextSeq(trx, secretId);
    await trx.insertInto('secret_versions').values({ ...v, secret_id: secretId, seq }).execute();
  }

  /** Puts `stage` on `versionId`, taking it from whichever version had it. */
  async moveStage(trx: Db, secretId: string, stage: string, versionId: string): Promise<void> {
    await trx.deleteFrom('secret_version_stages').where('secret_id', '=', secretId).where('stage', '=', stage).execute();
    await trx.insertInto('secret_version_stages').values({ secret_id: secretId, stage, version_id: versionId }).execute();
  }

  async removeStage(trx: Db, secretId: string, stage: string): Promise<void> {
    await trx.deleteFrom('secret_version_stages').where('secret_id', '=', secretId).where('stage', '=', stage).execute();
  }

  async stageHolder(trx: Db, secretId: string, stage: string): Promise<string | undefined> {
    const row = await trx.selectFrom('secret_version_stages').select('version_id')
      .where('secret_id', '=', secretId).where('stage', '=', stage).executeTakeFirst();
    return row?.version_id;
  }

  async countStages(trx: Db, secretId: string): Promise<number> {
    const row = await trx.selectFrom('secret_version_stages').select((eb) => eb.fn.countAll().as('n')).where('secret_id', '=', secretId).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /**
   * AWS keeps about 100 versions: beyond that it removes versions without labels, oldest
   * first, but never one younger than 24 hours. Returns how many versions remain.
   */
  async pruneDeprecated(trx: Db, secretId: string, now: number, keep = 100): Promise<number> {
    const rows = await trx.selectFrom('secret_versions as v')
      .leftJoin('secret_version_stages as s', (j) => j.onRef('s.secret_id', '=', 'v.secret_id').onRef('s.version_id', '=', 'v.version_id'))
      .select(['v.version_id', 'v.created_at', 's.stage'])
      .where('v.secret_id', '=', secretId).orderBy('v.seq', 'asc').execute();
    const labelled = new Set(rows.filter((r) => r.stage !== null).map((r) => r.version_id));
    const all = [...new Map(rows.map((r) => [r.version_id, r.created_at])).entries()];
    let count = all.length;
    const doomed: string[] = [];
    for (const [versionId, createdAt] of all) {
      if (count <= keep) break;
      if (labelled.has(versionId) || now - createdAt < 24 * 3600 * 1000) continue;
      doomed.push(versionId);
      count--;
    }
    if (doomed.length) {
      await trx.deleteFrom('secret_versions').where('secret_id', '=', secretId).where('version_id', 'in', doomed).execute();
    }
    return count;
  }

  /** Once a day per secret, outside any lock (the WHERE makes it idempotent), so it drops the cache itself. */
  async touchAccessed(secretId: string, versionId: string, day: number): Promise<void> {
    try {
      await this.db.updateTable('secrets').set({ last_accessed_at: day }).where('id', '=', secretId)
        .where((eb) => eb.or([eb('last_accessed_at', 'is', null), eb('last_accessed_at', '<', day)])).execute();
      await this.db.updateTable('secret_versions').set({ last_accessed_at: day })
        .where('secret_id', '=', secretId).where('version_id', '=', versionId)
        .where((eb) => eb.or([eb('last_accessed_at', 'is', null), eb('last_accessed_at', '<', day)])).execute();
    } finally {
      this.cache?.invalidate(secretId);
    }
  }

  /** Inside `withSecretLock` (which drops the cache after commit) or on its own. */
  async purge(secretId: string, db: Db = this.db): Promise<void> {
    await db.deleteFrom('secret_version_stages').where('secret_id', '=', secretId).execute();
    await db.deleteFrom('secret_versions').where('secret_id', '=', secretId).execute();
    await db.deleteFrom('secrets').where('id', '=', secretId).execute();
    this.cache?.invalidate(secretId);
  }

  /** Secrets whose recovery window has ended. */
  async dueForPurge(now: number, limit = 100): Promise<SecretRow[]> {
    return this.db.selectFrom('secrets').selectAll().where('deletion_date', 'is not', null).where('deletion_date', '<=', now).limit(limit).execute();
  }
}

const ORDER = ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS'];

/** A stable label order for responses: AWS's labels first, then custom labels by name. */
export function sortStages(stages: string[]): string[] {
  return stages.sort((a, b) => {
    const ia = ORDER.indexOf(a), ib = ORDER.indexOf(b);
    if (ia >= 0 || ib >= 0) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}


/** Marks every replica of a primary secret as behind (migration 0012's `wanted`); a no-op for other secrets. */
export async function queueReplication(db: Db, secretId: string): Promise<void> {
  await db.updateTable('secret_replicas').set((eb) => ({ wanted: eb('wanted', '+', 1) }))
    .where('secret_id', '=', secretId).where('removing', '=', 0).execute();
}
