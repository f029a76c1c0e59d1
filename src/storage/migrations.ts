/**
 * Schema migrations, applied at start. Kysely's Migrator takes a lock (an advisory lock on
 * PostgreSQL) so several nodes starting together migrate once.
 */
import { Kysely, Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './database.ts';
import { iamMigration } from './migration-iam.ts';
import { mfaDevicesMigration } from './migration-mfa-devices.ts';
import { loginProfilesMigration } from './migration-login-profiles.ts';
import { rootKeysMigration } from './migration-root-keys.ts';
import { kmsMigration } from './migration-kms.ts';
import { iamCredentialsPolicyMigration } from './migration-iam-credentials-policy.ts';
import { functionLogsMigration } from './migration-function-logs.ts';
import { rotationAttemptsMigration } from './migration-rotation-attempts.ts';
import { lambdaMigration } from './migration-lambda.ts';
import { auditMigration } from './migration-audit.ts';
import { replicationMigration } from './migration-replication.ts';
import { clusterMigration } from './migration-cluster.ts';
import { passwordSetAtMigration } from './migration-password-set-at.ts';
import { auditInlineMigration } from './migration-audit-inline.ts';
import { rootPasswordsMigration } from './migration-root-passwords.ts';

function migrations(dialect: Dialect): Record<string, Migration> {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    '0001_foundation': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('meta')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('accounts')
          .addColumn('account_id', 'text', (c) => c.primaryKey())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createTable('access_keys')
          .addColumn('access_key_id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('principal_type', 'text', (c) => c.notNull())
          .addColumn('principal_arn', 'text', (c) => c.notNull())
          .addColumn('user_name', 'text')
          .addColumn('secret_sealed', sql.raw(bytes), (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('last_used_service', 'text')
          .addColumn('last_used_region', 'text')
          .execute();
        await db.schema.createTable('kms_keys')
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('arn', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('key_manager', 'text', (c) => c.notNull())
          .addColumn('key_state', 'text', (c) => c.notNull())
          .addColumn('current_material', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createTable('kms_key_materials')
          .addColumn('key_id', 'text', (c) => c.notNull().references('kms_keys.key_id').onDelete('cascade'))
          .addColumn('material_version', 'integer', (c) => c.notNull())
          .addColumn('material_sealed', sql.raw(bytes), (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('kms_key_materials_pk', ['key_id', 'material_version'])
          .execute();
        await db.schema.createTable('kms_aliases')
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('alias_name', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull().references('kms_keys.key_id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('kms_aliases_pk', ['account_id', 'region', 'alias_name'])
          .execute();
        await db.schema.createTable('secrets')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('account_id', 'text', (c) => c.notNull())
          .addColumn('region', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('arn', 'text', (c) => c.notNull().unique())
          .addColumn('description', 'text')
          .addColumn('kms_key_id', 'text')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_changed_at', 'bigint', (c) => c.notNull())
          .addColumn('last_accessed_at', 'bigint')
          .addColumn('last_rotated_at', 'bigint')
          .addColumn('deletion_date', 'bigint')
          .addColumn('deleted_at', 'bigint')
          .addColumn('rotation_enabled', 'integer')
          .addColumn('rotation_lambda_arn', 'text')
          .addColumn('rotation_rules', 'text')
          .addColumn('next_rotation_at', 'bigint')
          .addColumn('tags', 'text')
          .addColumn('resource_policy', 'text')
          .addColumn('owning_service', 'text')
          .addColumn('primary_region', 'text')
          .addColumn('type', 'text')
          .addUniqueConstraint('secrets_name_unique', ['account_id', 'region', 'name'])
          .execute();
        await db.schema.createIndex('secrets_deletion_idx').on('secrets').column('deletion_date').execute();
        await db.schema.createTable('secret_versions')
          // Order of creation within the secret, assigned under the secret's lock.
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('secret_id', 'text', (c) => c.notNull().references('secrets.id').onDelete('cascade'))
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_accessed_at', 'bigint')
          .addColumn('kms_key_id', 'text')
          .addColumn('encrypted_data_key', sql.raw(bytes))
          .addColumn('ciphertext', sql.raw(bytes))
          .addColumn('value_kind', 'text')
          .addPrimaryKeyConstraint('secret_versions_pk', ['secret_id', 'version_id'])
          .execute();
        // The primary key (secret, stage) is what makes two AWSCURRENT impossible, whatever
        // the interleaving of writers on however many nodes.
        await db.schema.createTable('secret_version_stages')
          .addColumn('secret_id', 'text', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('version_id', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('secret_version_stages_pk', ['secret_id', 'stage'])
          .addForeignKeyConstraint('secret_version_stages_fk', ['secret_id', 'version_id'], 'secret_versions', ['secret_id', 'version_id'], (fk) => fk.onDelete('cascade'))
          .execute();
      },
    },
    '0002_iam': iamMigration(bytes),
    '0003_login_profiles': loginProfilesMigration,
    '0004_mfa_devices': mfaDevicesMigration(bytes),
    '0005_kms': kmsMigration,
    '0006_root_keys': rootKeysMigration(bytes),
    '0007_iam_credentials_policy': iamCredentialsPolicyMigration,
    '0010_rotation_attempts': rotationAttemptsMigration(bytes),
    '0008_lambda': lambdaMigration(bytes),
    '0009_function_logs': functionLogsMigration(bytes),
    '0011_audit': auditMigration,
    '0012_replication': replicationMigration,
    '0013_cluster': clusterMigration,
    '0014_password_set_at': passwordSetAtMigration(),
    '0015_root_passwords': rootPasswordsMigration,
    '0016_audit_inline': auditInlineMigration(dialect),
  };
}

export async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  // On PostgreSQL the migration tables are named with their schema: Kysely otherwise looks
  // for them in every schema of the database, finds another deployment's, and never creates
  // this one's (several deployments, or the test suite, share one server).
  const migrationTableSchema = dialect === 'postgres'
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({
    db, provider, migrationTableName: 'coffer_migrations', migrationLockTableName: 'coffer_migrations_lock', migrationTableSchema,
  });
  for (let attempt = 1; ; attempt++) {
    const { error } = await migrator.migrateToLatest();
    if (!error) return;
    // Kysely's introspector, checking whether the migration tables exist, reads the catalog of
    // every schema in the database; a schema another deployment drops at that moment makes the
    // query fail with "schema … does not exist" (3F000) or a vanished relation (42P01). That is
    // not about our schema, and a retry sees the catalog without it.
    if (attempt >= 5 || !isConcurrentCatalogChange(error)) throw error instanceof Error ? error : new Error(String(error));
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

function isConcurrentCatalogChange(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '3F000' || code === '42P01' || code === 'XX000';
}
