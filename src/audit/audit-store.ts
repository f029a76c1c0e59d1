/**
 * The audit tables: appending chained events (one transaction per batch), extending the
 * global digest chain, and the reads LookupEvents and `coffer audit verify` need.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { AuditDigestTable, AuditEventTable, Database } from '../storage/schema.ts';
import type { Dialect } from '../storage/database.ts';
import { FIRST_DIGEST, signDigest, type DigestFields } from './chain.ts';

/** One event row; `resources` (JSON) and `seal` are in the row (migration 0016). */
export interface StoredEvent {
  row: AuditEventTable;
}

/** A resource as `audit_events.resources` keeps it: type, name, ARN when known. */
export type ResourceTriple = [type: string, name: string, arn: string | null];

export const resourcesOfRow = (row: AuditEventTable): ResourceTriple[] => (row.resources ? JSON.parse(row.resources) as ResourceTriple[] : []);

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

const EVENT_COLUMNS = ['chain_id', 'seq', 'event_id', 'event_time', 'account_id', 'region', 'event_name', 'event_source', 'username', 'access_key_id', 'read_only', 'event', 'prev_hash', 'hash', 'resources', 'seal'] as const;

export class AuditStore {
  private appendSqlite?: (events: StoredEvent[]) => void;

  /** `sqlite`: the embedded database's handle, for appends through prepared statements. */
  constructor(readonly db: Kysely<Database>, private readonly dialect: Dialect, sqlite?: SQLite.Database) {
    if (sqlite) {
      // Every request adds an event: on SQLite the appends run as one prepared statement in
      // one transaction per batch (building each batch's SQL through the query builder cost
      // more than the rows). Positional parameters: binding named ones from an object cost
      // more than the row's own insert. Only inside db.connection(), which holds the one connection.
      const insert = sqlite.prepare(`insert into audit_events (${EVENT_COLUMNS.join(', ')}) values (${EVENT_COLUMNS.map(() => '?').join(', ')})`);
      this.appendSqlite = sqlite.transaction((events: StoredEvent[]) => {
        for (const { row: r } of events) {
          insert.run(r.chain_id, r.seq, r.event_id, r.event_time, r.account_id, r.region, r.event_name, r.event_source,
            r.username, r.access_key_id, r.read_only, r.event, r.prev_hash, r.hash, r.resources, r.seal);
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
    // One statement is one transaction: the batch and its seal commit together.
    await this.db.insertInto('audit_events').values(events.map((e) => e.row)).execute();
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
          query = query.where(this.namesResource(a.value, ['1', '2']));
          break;
        case 'ResourceType':
          query = query.where(this.namesResource(a.value, ['0']));
          break;
      }
    }
    const rows = await query.orderBy('e.event_time', 'desc').orderBy('e.event_id', 'desc').limit(q.limit).execute();
    return rows.map((row) => ({ row: normalize(row) }));
  }

  /**
   * `e.resources` holds a resource whose element `positions` (0 type, 1 name, 2 ARN) equals
   * `value`. A plain substring test first, when the value's JSON spelling is the value itself:
   * most rows fail it without their JSON being parsed.
   */
  private namesResource(value: string, positions: string[]): RawBuilder<boolean> {
    const match = sql.join(positions.map((p) => sql`j.value ->> ${sql.raw(p)} = ${value}`), sql` or `);
    const elements = this.dialect === 'postgres' ? sql`json_array_elements(e.resources::json)` : sql`json_each(e.resources)`;
    const contains = this.dialect === 'postgres' ? sql`strpos(e.resources, ${value}) > 0` : sql`instr(e.resources, ${value}) > 0`;
    const plain = JSON.stringify(value) === `"${value}"`;
    return sql<boolean>`(e.resources is not null${plain ? sql` and ${contains}` : sql``} and exists (select 1 from ${elements} as j where ${match}))`;
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
      yield rows.map((row) => ({ row: normalize(row) }));
      const last = rows.at(-1)!;
      after = { chain: last.chain_id, seq: Number(last.seq) };
    }
  }

  async digests(): Promise<AuditDigestTable[]> {
    const rows = await this.db.selectFrom('audit_digests').selectAll().orderBy('digest_seq').execute();
    return rows.map((d) => ({ ...d, digest_seq: Number(d.digest_seq), seq: Number(d.seq), created_at: Number(d.created_at), key_generation: Number(d.key_generation) }));
  }
}

/** PostgreSQL's bigints arrive as numbers already (src/storage/database.ts); SQLite's too. */
function normalize(row: AuditEventTable): AuditEventTable {
  return { ...row, seq: Number(row.seq), event_time: Number(row.event_time), read_only: Number(row.read_only) };
}
