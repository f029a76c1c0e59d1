/**
 * The audit trail (migration 0011; src/audit/, docs/audit.md).
 *
 * `audit_events`: one CloudTrail event per row, in hash chains. Each running node writes one
 * chain (`chain_id`, a fresh id per process), numbered by `seq` from 1; `hash` is
 * SHA-256(prev_hash, chain_id, event) and `prev_hash` the hash of the chain's previous event.
 * The lookup columns repeat what the event JSON says, for LookupEvents' filters.
 *
 * `audit_event_resources`: the resources an event names, for ResourceName/ResourceType lookups.
 *
 * `audit_digests`: one global chain of signed digests (HMAC under a key derived from the root
 * key), each fixing one chain's head (chain_id, seq, head_hash) and the previous digest's
 * signature; `digest_seq` is the primary key, so two nodes can never both extend the chain.
 */
import type { Kysely, Migration } from 'kysely';

export const auditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('audit_events')
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull().unique())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('event_source', 'text', (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('access_key_id', 'text')
      .addColumn('read_only', 'integer', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('prev_hash', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_events_pk', ['chain_id', 'seq'])
      .execute();
    await db.schema.createIndex('audit_events_lookup_idx').on('audit_events').columns(['account_id', 'region', 'event_time']).execute();
    await db.schema.createTable('audit_event_resources')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('resource_type', 'text', (c) => c.notNull())
      .addColumn('resource_name', 'text', (c) => c.notNull())
      .addColumn('resource_arn', 'text')
      .execute();
    await db.schema.createIndex('audit_event_resources_event_idx').on('audit_event_resources').columns(['event_id']).execute();
    await db.schema.createIndex('audit_event_resources_name_idx').on('audit_event_resources').columns(['resource_name']).execute();
    await db.schema.createIndex('audit_event_resources_arn_idx').on('audit_event_resources').columns(['resource_arn']).execute();
    await db.schema.createTable('audit_digests')
      .addColumn('digest_seq', 'bigint', (c) => c.primaryKey())
      .addColumn('chain_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('head_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('prev_signature', 'text', (c) => c.notNull())
      .addColumn('key_generation', 'integer', (c) => c.notNull())
      .addColumn('signature', 'text', (c) => c.notNull())
      .execute();
  },
};
