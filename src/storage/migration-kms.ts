/**
 * KMS as a service (migration 0005): what a customer managed key needs beyond the AWS managed
 * key of the foundation — its key policy, usage/spec/origin, the deletion window, automatic
 * rotation (period and next date), tags, and when each material version came to be and why
 * (AUTOMATIC or ON_DEMAND rotation; the first material has none). Key material stays sealed
 * under the root key in `kms_key_materials`, as before.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const DAY_MS = 86_400_000;

export const kmsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('kms_keys').addColumn('policy', 'text').execute();
    await db.schema.alterTable('kms_keys').addColumn('key_usage', 'text', (c) => c.notNull().defaultTo('ENCRYPT_DECRYPT')).execute();
    await db.schema.alterTable('kms_keys').addColumn('key_spec', 'text', (c) => c.notNull().defaultTo('SYMMETRIC_DEFAULT')).execute();
    await db.schema.alterTable('kms_keys').addColumn('origin', 'text', (c) => c.notNull().defaultTo('AWS_KMS')).execute();
    /** Epoch ms when a key in PendingDeletion is deleted. */
    await db.schema.alterTable('kms_keys').addColumn('deletion_date', 'bigint').execute();
    await db.schema.alterTable('kms_keys').addColumn('pending_window_days', 'integer').execute();
    await db.schema.alterTable('kms_keys').addColumn('rotation_enabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('kms_keys').addColumn('rotation_period_days', 'integer').execute();
    await db.schema.alterTable('kms_keys').addColumn('next_rotation_at', 'bigint').execute();
    // The periodic task looks keys up by these.
    await db.schema.createIndex('kms_keys_deletion_idx').on('kms_keys').columns(['key_state', 'deletion_date']).execute();
    await db.schema.createIndex('kms_keys_rotation_idx').on('kms_keys').columns(['rotation_enabled', 'next_rotation_at']).execute();
    await db.schema.createIndex('kms_keys_scope_idx').on('kms_keys').columns(['account_id', 'region']).execute();

    /** 'AUTOMATIC' | 'ON_DEMAND' for rotations; null for the key's first material. */
    await db.schema.alterTable('kms_key_materials').addColumn('rotation_type', 'text').execute();
    await db.schema.alterTable('kms_aliases').addColumn('updated_at', 'bigint').execute();
    await db.schema.createIndex('kms_aliases_key_idx').on('kms_aliases').column('key_id').execute();

    await db.schema.createTable('kms_key_tags')
      .addColumn('key_id', 'text', (c) => c.notNull().references('kms_keys.key_id').onDelete('cascade'))
      .addColumn('tag_key', 'text', (c) => c.notNull())
      .addColumn('tag_value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('kms_key_tags_pk', ['key_id', 'tag_key'])
      .execute();

    // AWS managed keys rotate every year (AWS has done so since 2022); their policy stays null
    // here and is derived from account and region when read.
    await sql`update kms_keys set rotation_enabled = 1, rotation_period_days = 365,
      next_rotation_at = created_at + ${365 * DAY_MS} where key_manager = 'AWS'`.execute(db);
  },
};
