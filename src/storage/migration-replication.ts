/**
 * Replication to other regions (migration 0012).
 *
 * `secret_replicas` is the primary's side: one row per replica region of a primary secret,
 * with the status ReplicationStatus shows, and the replication queue itself. Every change to
 * the primary bumps `wanted` in the transaction that makes the change (SecretRepository's
 * `withSecretLock`), so an acknowledged write is never lost; the worker pushes the secret as
 * it then is and records the `wanted` it pushed in `synced`. A replica is in sync when
 * `synced = wanted`. `removing = 1`: RemoveRegionsFromReplication asked for the replica to be
 * deleted in a region served by a peer deployment, which the worker does.
 *
 * `replica_detaches` is the replica's side in a peer deployment: a replica promoted by
 * StopReplicationToReplica must tell its primary's deployment to stop replicating to it.
 *
 * `replica_applied` is the replica's side too: the primary's `wanted` of the last push applied
 * to a replica, so a push that arrives late (two nodes pushing at once, a retry overtaken by a
 * newer push) never puts an older state of the primary over a newer one.
 */
import type { Kysely, Migration } from 'kysely';

export const replicationMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createTable('secret_replicas')
      .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
      .addColumn('region', 'text', (c) => c.notNull())
      /** The replica's KMS key as the caller gave it; null: that region's aws/secretsmanager. */
      .addColumn('kms_key_id', 'text')
      .addColumn('force_overwrite', 'integer', (c) => c.notNull())
      /** 'InProgress' | 'InSync' | 'Failed'. */
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('status_message', 'text')
      .addColumn('wanted', 'bigint', (c) => c.notNull())
      .addColumn('synced', 'bigint', (c) => c.notNull())
      .addColumn('removing', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      /** The replica's LastAccessedDate as its region last reported it. */
      .addColumn('last_accessed_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('secret_replicas_pk', ['secret_id', 'region'])
      .execute();
    await db.schema.createIndex('secret_replicas_due_idx').on('secret_replicas').column('next_attempt_at').execute();
    await db.schema.createTable('replica_detaches')
      .addColumn('replica_arn', 'text', (c) => c.primaryKey())
      .addColumn('primary_region', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createTable('replica_applied')
      .addColumn('secret_id', 'text', (c) => c.primaryKey().references('secrets.id').onDelete('cascade'))
      .addColumn('change', 'bigint', (c) => c.notNull())
      .execute();
  },
};
