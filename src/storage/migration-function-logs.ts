/**
 * Lambda functions' logs (migration 0009): one row per invocation, the text (START … REPORT
 * and what the function printed) sealed under the root key, since a function may print a
 * secret. Rows stay after the function is deleted, as CloudWatch log groups do; the runtime
 * keeps only the last invocations of each function (src/services/lambda/runtime/function-logs.ts).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export function functionLogsMigration(bytes: 'bytea' | 'blob'): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('lambda_function_logs')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        /** Unqualified: `arn:aws:lambda:<region>:<account>:function:<name>`. */
        .addColumn('function_arn', 'text', (c) => c.notNull())
        /** Milliseconds since the epoch, when the invocation started. */
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        /** Plaintext length, so pruning to a byte budget need not open anything. */
        .addColumn('log_bytes', 'integer', (c) => c.notNull())
        .addColumn('log_stream', 'text', (c) => c.notNull())
        .addColumn('log_sealed', sql.raw(bytes), (c) => c.notNull())
        .execute();
      await db.schema.createIndex('lambda_function_logs_fn_idx').on('lambda_function_logs').columns(['function_arn', 'started_at']).execute();
    },
  };
}
