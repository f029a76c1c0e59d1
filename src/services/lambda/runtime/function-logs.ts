/**
 * Functions' logs in the database: one row per invocation, sealed under the root key (a
 * function may print a secret it read), bound to the function and request id. Each function
 * keeps its last `MAX_INVOCATIONS` invocations within `MAX_BYTES` of text; older rows are
 * dropped when a new one is written.
 *
 * `readFunctionLogs` is how `coffer logs` and the console read them (docs/lambda.md, "Runtime").
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../../storage/schema.ts';
import type { RootKeySealer } from '../../../crypto/root-key-ring.ts';

export const MAX_INVOCATIONS = 100;
export const MAX_BYTES = 512 * 1024;

const logAad = (functionArn: string, requestId: string) => `lambda-log:${functionArn}:${requestId}`;

export interface InvocationLog {
  requestId: string;
  functionArn: string;
  /** When the invocation started (ms since the epoch). */
  startedAt: number;
  /** `YYYY/MM/DD/[$LATEST]<id>`: the process that served it, as Lambda names log streams. */
  logStream: string;
  text: string;
}

export async function storeInvocationLog(db: Kysely<Database>, sealer: RootKeySealer, log: InvocationLog): Promise<void> {
  const bytes = Buffer.from(log.text, 'utf8');
  await db.insertInto('lambda_function_logs').values({
    request_id: log.requestId,
    function_arn: log.functionArn,
    started_at: log.startedAt,
    log_bytes: bytes.length,
    log_stream: log.logStream,
    log_sealed: sealer.seal(bytes, logAad(log.functionArn, log.requestId)),
  }).execute();
  await prune(db, log.functionArn);
}

/** Keeps the newest invocations that fit both bounds. */
async function prune(db: Kysely<Database>, functionArn: string): Promise<void> {
  const rows = await db.selectFrom('lambda_function_logs').select(['request_id', 'log_bytes'])
    .where('function_arn', '=', functionArn).orderBy('started_at', 'desc').orderBy('request_id', 'desc')
    .limit(MAX_INVOCATIONS + 50).execute();
  let total = 0;
  const drop: string[] = [];
  rows.forEach((r, i) => {
    total += Number(r.log_bytes);
    // The newest invocation is always kept, however long its log.
    if (i > 0 && (i >= MAX_INVOCATIONS || total > MAX_BYTES)) drop.push(r.request_id);
  });
  if (drop.length) await db.deleteFrom('lambda_function_logs').where('request_id', 'in', drop).execute();
}

/**
 * The function's logged invocations, oldest first: the last `limit` of them (all kept ones
 * by default). `functionArn` is unqualified (`arn:aws:lambda:<region>:<account>:function:<name>`).
 */
export async function readFunctionLogs(
  db: Kysely<Database>, sealer: RootKeySealer, functionArn: string, opts: { limit?: number } = {},
): Promise<InvocationLog[]> {
  const rows = await db.selectFrom('lambda_function_logs').selectAll()
    .where('function_arn', '=', functionArn).orderBy('started_at', 'desc').orderBy('request_id', 'desc')
    .limit(opts.limit ?? MAX_INVOCATIONS).execute();
  return rows.reverse().map((r) => ({
    requestId: r.request_id,
    functionArn: r.function_arn,
    startedAt: Number(r.started_at),
    logStream: r.log_stream,
    text: sealer.open(Buffer.from(r.log_sealed), logAad(r.function_arn, r.request_id)).toString('utf8'),
  }));
}
