/**
 * Several nodes over one database (migration 0013).
 *
 * `cluster_nodes`: one row per running `coffer serve`, its heartbeat written every few
 * hundred milliseconds. A node whose heartbeat stops has died (or lost the database): the
 * others flush their caches once, since it may have committed a write without telling them.
 *
 * `cluster_leases`: a named lease per background job that must run on one node at a time
 * (secret purge, KMS key maintenance). The holder renews it on every pass; another node takes
 * it only once it has expired. See src/cluster/leases.ts and docs/deployment.md.
 */
import type { Kysely, Migration } from 'kysely';

export const clusterMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('cluster_nodes')
      .addColumn('node_id', 'text', (c) => c.primaryKey())
      /** host:pid, for people reading the table. */
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createTable('cluster_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    // Which node ran a rotation attempt (`coffer rotation status`, and takeovers in the logs).
    await db.schema.alterTable('rotation_attempts').addColumn('node_id', 'text').execute();
  },
};
