/**
 * Lambda functions (migration 0008). A function is one row: its configuration in plain
 * columns, its code zip and its environment variables only sealed under the root key ring
 * (bound to the function's id, so a sealed value copied onto another function's row fails to
 * open), its resource policy and tags as JSON text. One revision id changes with every write
 * to the function (code, configuration, policy), as Lambda's `RevisionId` does.
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function lambdaMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('lambda_functions')
        /** A random id, never shown: what sealed values are bound to. */
        .addColumn('function_id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('function_name', 'text', (c) => c.notNull())
        .addColumn('function_arn', 'text', (c) => c.notNull().unique())
        .addColumn('runtime', 'text', (c) => c.notNull())
        .addColumn('handler', 'text', (c) => c.notNull())
        .addColumn('role_arn', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
        .addColumn('memory_size', 'integer', (c) => c.notNull())
        /** JSON array, `["x86_64"]`. */
        .addColumn('architectures', 'text', (c) => c.notNull())
        .addColumn('code_sealed', sql.raw(bytes), (c) => c.notNull())
        .addColumn('code_size', 'bigint', (c) => c.notNull())
        .addColumn('code_sha256', 'text', (c) => c.notNull())
        /** Null: the function has no Environment. */
        .addColumn('environment_sealed', sql.raw(bytes))
        .addColumn('policy', 'text')
        /** JSON object of tag key → value. */
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('revision_id', 'text', (c) => c.notNull())
        .addColumn('last_modified', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('lambda_functions_name_unique', ['account_id', 'region', 'function_name'])
        .execute();
    },
  };
}
