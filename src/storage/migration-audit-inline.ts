/**
 * The audit trail, cheaper to write and sealed per batch (migration 0016; docs/audit.md).
 *
 * - `audit_events.resources`: the resources an event names, inline as compact JSON
 *   `[[type, name, arn|null], …]` (null when none), instead of a row each in
 *   `audit_event_resources` with three indexes of its own. Every request writes an event and
 *   those indexes were most of its cost (a random-key index insert dirties a page of its own
 *   at every batch); LookupEvents' ResourceName/ResourceType filters read the column instead,
 *   as its other attributes read theirs. Existing rows are converted; the table is dropped.
 * - `audit_events.seal`: on the last event of each written batch, `GENERATION:HMAC` over the
 *   chain's head at that event, written in the batch's own transaction (src/audit/chain.ts).
 *
 * The unique index on `event_id` stays: event ids are now time-ordered (UUIDv7), so it grows
 * at its right edge like the lookup index, at a fraction of a random key's cost.
 */
import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './database.ts';

export function auditInlineMigration(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('audit_events').addColumn('resources', 'text').execute();
      await db.schema.alterTable('audit_events').addColumn('seal', 'text').execute();
      // The same compact JSON the trail writes (JSON.stringify), so one reader serves both.
      const triples = dialect === 'postgres'
        ? sql`select '[' || string_agg('[' || to_json(r.resource_type)::text || ',' || to_json(r.resource_name)::text || ',' || coalesce(to_json(r.resource_arn)::text, 'null') || ']', ',') || ']'
              from audit_event_resources r where r.event_id = audit_events.event_id`
        : sql`select json_group_array(json_array(r.resource_type, r.resource_name, r.resource_arn))
              from audit_event_resources r where r.event_id = audit_events.event_id`;
      await sql`update audit_events set resources = (${triples})
                where exists (select 1 from audit_event_resources r where r.event_id = audit_events.event_id)`.execute(db);
      await db.schema.dropTable('audit_event_resources').execute();
    },
  };
}
