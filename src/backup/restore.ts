/**
 * `coffer restore FILE`: the backup's rows into an empty database (SQLite or PostgreSQL,
 * whichever the backup came from), in one transaction: a failure leaves the target as empty
 * as it was. The root key given must be one the backed-up database used; the file key opens
 * only with it, and the restored rows are sealed under it.
 *
 * The file is streamed: a frame is read and opened, its rows inserted in batches, then the
 * next, so memory stays at a frame and a batch (or one row, when a row is larger) whatever
 * the size of the backup.
 */
import { sql, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Store } from '../storage/database.ts';
import { StartupError } from '../config.ts';
import { open as aeadOpen, SealError } from '../crypto/aead.ts';
import { obtainKey, describeSource } from '../crypto/root-key.ts';
import { opensCheck, type RootKeyRow } from '../crypto/root-key-rows.ts';
import type { RootKeySource } from '../crypto/root-key-source.ts';
import { describeProvider } from '../crypto/root-key-source.ts';
import { appliedMigrations, listTables, resetSequences } from './catalog.ts';
import { BackupFormatError, decodeValue, wrapAad, type BackupHeader } from './format.ts';
import type { BackupFile } from './backup-file.ts';
import { Progress } from './progress.ts';

/** Parameters per insert statement, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const PARAMS_PER_INSERT = 8_000;
/** Row text per insert statement: bounds a batch's memory when rows are large (secret values, code). */
const BYTES_PER_INSERT = 2 << 20;

/** The file key, opened with the root key the source gives. */
export async function openFileKey(header: BackupHeader, source: RootKeySource): Promise<Buffer> {
  for (const rec of header.rootKeys.filter((r) => r.provider.kind === source.provider)) {
    const wrapped = header.wrappedKeys[rec.generation];
    if (!wrapped) continue;
    const row = { generation: rec.generation, provider: rec.provider, keyCheck: rec.keyCheck } as RootKeyRow;
    const key = await obtainKey(source, row);
    try {
      if (!opensCheck(key, rec.keyCheck)) continue;
      return aeadOpen(key, Buffer.from(wrapped, 'base64'), wrapAad(header.backupId, rec.generation));
    } catch (err) {
      if (err instanceof SealError) throw new StartupError('the backup file is damaged or was changed (its file key does not open)');
      throw err;
    } finally {
      key.fill(0);
    }
  }
  const wanted = header.rootKeys.map((r) => `generation ${r.generation} (${describeProvider(r.provider)})`).join(' or ');
  throw new StartupError(
    `${describeSource(source)} does not open this backup: it needs the root key of the database it was made from, ${wanted}. ` +
    'Give that key with --root-key-file FILE, COFFER_ROOT_KEY, or the passphrase or KMS options it was set up with (see docs/operations.md, "Backup and restore").',
  );
}

export interface RestoreResult {
  tables: number;
  rows: number;
}

export async function restoreBackup(store: Store, backup: BackupFile, fileKey: Buffer, progressOut?: NodeJS.WriteStream): Promise<RestoreResult> {
  const { header } = backup;
  const mine = await appliedMigrations(store.db);
  if (mine.join(',') !== header.migrations.join(',')) {
    const missing = header.migrations.filter((m) => !mine.includes(m));
    throw new StartupError(missing.length > 0
      ? `this backup was made by a newer coffer (its schema has migrations ${missing.join(', ')}, which this coffer does not know); restore it with that version`
      : `this backup's schema (${header.migrations.length} migrations) is older than this coffer's (${mine.length}); restore it with the coffer version that made it, then start the newer one, which migrates it`);
  }
  const total = header.tables.reduce((n, t) => n + t.rows, 0);
  const progress = new Progress('restore', total, progressOut);
  return store.db.transaction().execute(async (trx) => {
    await refuseNonEmpty(trx, store);
    // SQLite checks foreign keys at commit; PostgreSQL's insertion order (parents first) satisfies them.
    if (store.dialect === 'sqlite') await sql`pragma defer_foreign_keys = on`.execute(trx);
    let table: { name: string; columns: string[]; rows: number; seen: number } | undefined;
    let batch: unknown[][] = [];
    let batchBytes = 0;
    let tables = 0;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const cols = sql.join(table.columns.map((c) => sql.ref(c)));
      const values = sql.join(batch.map((row) => sql`(${sql.join(row)})`));
      await sql`insert into ${sql.table(table.name)} (${cols}) values ${values}`.execute(trx);
      progress.advance(batch.length);
      batch = [];
      batchBytes = 0;
    };
    const endTable = async () => {
      await flush();
      if (table && table.seen !== table.rows) throw new BackupFormatError(`table ${table.name}: the backup holds ${table.seen} rows, its header says ${table.rows}`);
    };
    for await (const line of lines(backup.frames(fileKey))) {
      const item = JSON.parse(line) as unknown;
      if (Array.isArray(item)) {
        if (!table) throw new BackupFormatError('a row before any table');
        // Decoded now, so the row's text is garbage at once and only its values wait for the insert.
        batch.push(item.map(decodeValue));
        batchBytes += line.length;
        table.seen++;
        if (batch.length * table.columns.length >= PARAMS_PER_INSERT || batchBytes >= BYTES_PER_INSERT) await flush();
        continue;
      }
      await endTable();
      const t = item as { table: string; columns: string[]; rows: number };
      table = { name: t.table, columns: t.columns, rows: t.rows, seen: 0 };
      tables++;
      progress.table(t.table, t.rows);
    }
    await endTable();
    if (tables !== header.tables.length) throw new BackupFormatError(`the backup holds ${tables} tables, its header says ${header.tables.length}`);
    await resetSequences(trx, store.dialect);
    progress.finish();
    return { tables, rows: total };
  });
}

/**
 * The JSON lines of the frames, each cut out of its frame's bytes rather than out of one
 * string per frame: a frame's text would be a megabyte string in V8's large-object space,
 * kept until a full collection. Frames end at line ends as coffer writes them; a line that
 * spans frames is joined all the same (a newline byte is never inside a UTF-8 character).
 */
async function* lines(frames: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let carry: Buffer[] = [];
  for await (const frame of frames) {
    let start = 0;
    for (let nl = frame.indexOf(0x0a); nl >= 0; nl = frame.indexOf(0x0a, start)) {
      yield carry.length === 0 ? frame.toString('utf8', start, nl) : Buffer.concat([...carry, frame.subarray(start, nl)]).toString('utf8');
      carry = [];
      start = nl + 1;
    }
    if (start < frame.length) carry.push(frame.subarray(start));
  }
  if (carry.length > 0) throw new BackupFormatError('the backup file ends in the middle of a row');
}

/** A restore never merges: every table of the target must be empty. */
async function refuseNonEmpty(trx: Transaction<Database>, store: Store): Promise<void> {
  for (const name of await listTables(trx, store.dialect)) {
    const { rows } = await sql<{ one: number }>`select 1 as one from ${sql.table(name)} limit 1`.execute(trx);
    if (rows.length > 0) {
      throw new StartupError(`the target database is not empty (table ${name} has rows); coffer restore only restores onto an empty data dir or database`);
    }
  }
}
