/**
 * The audit tables: appending chained events (one transaction per batch), extending the
 * global digest chain, and the reads LookupEvents and `coffer audit verify` need.
 */
import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { AuditDigestTable, AuditEventTable, AuditEventResourceTable, Database } from '../storage/schema.ts';
import { FIRST_DIGEST, signDigest, type DigestFields } from './chain.ts';

export interface StoredEvent {
  row: AuditEventTable;
  resources: AuditEventResourceTable[];
}

export type LookupKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';

export interface LookupQuery {
  accountId: string;
  region: string;
  attribute?: { key: LookupKey; value: string };
  startMs?: number;
  endMs?: number;
  /** Events strictly before this (time, event id), newest first. */
  before?: { time: number; eventId: string };
  limit: number;
}

const EVENT_COLUMNS = ['chain_id', 'seq', 'event_id', 'event_time', 'account_id', 'region', 'event_name', 'event_source', 'username', 'access_key_id', 'read_only', 'event', 'prev_hash', 'hash'] as const;
const RESOURCE_COLUMNS = ['event_id', 'resource_type', 'resource_name', 'resource_arn'] as const;
const insertSql = (table: string, columns: readonly string[]) => `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`;

export class AuditStore {
  private appendSqlite?: (events: StoredEvent[]) => void;

  /** `sqlite`: the embedded database's handle, for appends through prepared statements. */
  constructor(readonly db: Kysely<Database>, sqlite?: SQLite.Database) {
    if (sqlite) {
      // Every request adds an event: on SQLite the appends run as prepared statements in one
      // transaction per batch (building each batch's SQL through the query builder cost more
      // than the rows). Only inside db.connection(), which holds the one connection.
      const event = sqlite.prepare(insertSql('audit_events', EVENT_COLUMNS));
      const resource = sqlite.prepare(insertSql('audit_event_resources', RESOURCE_COLUMNS));
      this.appendSqlite = sqlite.transaction((events: StoredEvent[]) => {
        for (const e of events) {
          event.run(e.row);
          for (const r of e.resources) resource.run(r);
        }
      });
    }
  }

  async append(events: StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const appendSqlite = this.appendSqlite;
    if (appendSqlite) {
      await this.db.connection().execute(async () => appendSqlite(events));
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_events').values(events.map((e) => e.row)).execute();
      const resources = events.flatMap((e) => e.resources);
      if (resources.length > 0) await trx.insertInto('audit_event_resources').values(resources).execute();
    });
  }

  /**
   * Signs and appends a digest of `chainId` at (`seq`, `headHash`) after the newest digest.
   * Another node appending at the same moment takes the same digest_seq: the primary key
   * refuses one of the two, which reads the new newest digest and tries again.
   */
  async appendDigest(chainId: string, seq: number, headHash: string, key: { generation: number; key: Buffer }, now: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const last = await this.db.selectFrom('audit_digests').select(['digest_seq', 'signature']).orderBy('digest_seq', 'desc').limit(1).executeTakeFirst();
      const fields: DigestFields = {
        digestSeq: last ? Number(last.digest_seq) + 1 : 1, chainId, seq, headHash, createdAt: now,
        prevSignature: last?.signature ?? FIRST_DIGEST, keyGeneration: key.generation,
      };
      try {
        await this.db.insertInto('audit_digests').values({
          digest_seq: fields.digestSeq, chain_id: chainId, seq, head_hash: headHash, created_at: now,
          prev_signature: fields.prevSignature, key_generation: key.generation, signature: signDigest(key.key, fields),
        }).execute();
        return;
      } catch (err) {
        if (attempt >= 10) throw err;
      }
    }
  }

  async lookup(q: LookupQuery): Promise<StoredEvent[]> {
    let query = this.db.selectFrom('audit_events as e').selectAll('e')
      .where('e.account_id', '=', q.accountId).where('e.region', '=', q.region);
    if (q.startMs !== undefined) query = query.where('e.event_time', '>=', q.startMs);
    if (q.endMs !== undefined) query = query.where('e.event_time', '<=', q.endMs);
    if (q.before) {
      const { time, eventId } = q.before;
      query = query.where((eb) => eb.or([eb('e.event_time', '<', time), eb.and([eb('e.event_time', '=', time), eb('e.event_id', '<', eventId)])]));
    }
    const a = q.attribute;
    if (a) {
      switch (a.key) {
        case 'EventId': query = query.where('e.event_id', '=', a.value); break;
        case 'EventName': query = query.where('e.event_name', '=', a.value); break;
        case 'EventSource': query = query.where('e.event_source', '=', a.value); break;
        case 'Username': query = query.where('e.username', '=', a.value); break;
        case 'AccessKeyId': query = query.where('e.access_key_id', '=', a.value); break;
        case 'ReadOnly': query = query.where('e.read_only', '=', a.value === 'true' ? 1 : 0); break;
        case 'ResourceName':
          query = query.where((eb) => eb.exists(eb.selectFrom('audit_event_resources as r').select('r.event_id')
            .whereRef('r.event_id', '=', 'e.event_id').where((w) => w.or([w('r.resource_name', '=', a.value), w('r.resource_arn', '=', a.value)]))));
          break;
        case 'ResourceType':
          query = query.where((eb) => eb.exists(eb.selectFrom('audit_event_resources as r').select('r.event_id')
            .whereRef('r.event_id', '=', 'e.event_id').where('r.resource_type', '=', a.value)));
          break;
      }
    }
    const rows = await query.orderBy('e.event_time', 'desc').orderBy('e.event_id', 'desc').limit(q.limit).execute();
    return this.withResources(rows);
  }

  private async withResources(rows: AuditEventTable[]): Promise<StoredEvent[]> {
    if (rows.length === 0) return [];
    const resources = await this.db.selectFrom('audit_event_resources').selectAll().where('event_id', 'in', rows.map((r) => r.event_id)).execute();
    return rows.map((row) => ({ row: normalize(row), resources: resources.filter((r) => r.event_id === row.event_id) }));
  }

  /** Every chain's events in seq order, then by chain: what verify walks. */
  async *allEvents(batch = 1000): AsyncGenerator<StoredEvent[]> {
    let after: { chain: string; seq: number } | undefined;
    for (;;) {
      let q = this.db.selectFrom('audit_events').selectAll();
      if (after) {
        const { chain, seq } = after;
        q = q.where((eb) => eb.or([eb('chain_id', '>', chain), eb.and([eb('chain_id', '=', chain), eb('seq', '>', seq)])]));
      }
      const rows = await q.orderBy('chain_id').orderBy('seq').limit(batch).execute();
      if (rows.length === 0) return;
      yield await this.withResources(rows);
      const last = rows.at(-1)!;
      after = { chain: last.chain_id, seq: Number(last.seq) };
    }
  }

  async digests(): Promise<AuditDigestTable[]> {
    const rows = await this.db.selectFrom('audit_digests').selectAll().orderBy('digest_seq').execute();
    return rows.map((d) => ({ ...d, digest_seq: Number(d.digest_seq), seq: Number(d.seq), created_at: Number(d.created_at), key_generation: Number(d.key_generation) }));
  }

  async eventAt(chainId: string, seq: number): Promise<AuditEventTable | undefined> {
    const row = await this.db.selectFrom('audit_events').selectAll().where('chain_id', '=', chainId).where('seq', '=', seq).executeTakeFirst();
    return row && normalize(row);
  }
}

/** PostgreSQL's bigints arrive as numbers already (src/storage/database.ts); SQLite's too. */
function normalize(row: AuditEventTable): AuditEventTable {
  return { ...row, seq: Number(row.seq), event_time: Number(row.event_time), read_only: Number(row.read_only) };
}
