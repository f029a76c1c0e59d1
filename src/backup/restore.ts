/**
 * `coffer restore FILE`: the backup's rows into an empty database (SQLite or PostgreSQL,
 * whichever the backup came from), in one transaction: a failure leaves the target as empty
 * as it was. The root key given must be one the backed-up database used; the file key opens
 * only with it, and the restored rows are sealed under it.
 */
import { readFileSync } from 'node:fs';
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
import { BACKUP_FORMAT, BACKUP_VERSION, BackupFormatError, decodeValue, headerHash, openFrames, wrapAad, type BackupHeader } from './format.ts';
import { Progress } from './progress.ts';

/** Parameters per insert statement, well under SQLite's 32,766 and PostgreSQL's 65,535. */
const PARAMS_PER_INSERT = 8_000;

export interface BackupFile {
  header: BackupHeader;
  headerLine: Buffer;
  body: Buffer;
}

export function readBackupFile(file: string): BackupFile {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    throw new StartupError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const nl = data.indexOf(0x0a);
  let header: BackupHeader | undefined;
  try {
    header = nl > 0 ? JSON.parse(data.subarray(0, nl).toString('utf8')) as BackupHeader : undefined;
  } catch { /* reported below */ }
  if (!header || header.format !== BACKUP_FORMAT) throw new StartupError(`${file} is not a coffer backup`);
  if (header.version !== BACKUP_VERSION) throw new StartupError(`${file} is a version ${header.version} backup; this coffer reads version ${BACKUP_VERSION}`);
  return { header, headerLine: data.subarray(0, nl + 1), body: data.subarray(nl + 1) };
}

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
    const hash = headerHash(backup.headerLine);
    let table: { name: string; columns: string[]; rows: number; seen: number } | undefined;
    let batch: unknown[][] = [];
    let tables = 0;
    const flush = async () => {
      if (!table || batch.length === 0) return;
      const cols = sql.join(table.columns.map((c) => sql.ref(c)));
      const values = sql.join(batch.map((row) => sql`(${sql.join(row.map(decodeValue))})`));
      await sql`insert into ${sql.table(table.name)} (${cols}) values ${values}`.execute(trx);
      progress.advance(batch.length);
      batch = [];
    };
    const endTable = async () => {
      await flush();
      if (table && table.seen !== table.rows) throw new BackupFormatError(`table ${table.name}: the backup holds ${table.seen} rows, its header says ${table.rows}`);
    };
    let carry = '';
    for (const frame of openFrames(fileKey, backup.body, hash)) {
      const lines = (carry + frame.toString('utf8')).split('\n');
      carry = lines.pop()!;
      for (const line of lines) {
        const item = JSON.parse(line) as unknown;
        if (Array.isArray(item)) {
          if (!table) throw new BackupFormatError('a row before any table');
          batch.push(item);
          table.seen++;
          if (batch.length * table.columns.length >= PARAMS_PER_INSERT) await flush();
          continue;
        }
        await endTable();
        const t = item as { table: string; columns: string[]; rows: number };
        table = { name: t.table, columns: t.columns, rows: t.rows, seen: 0 };
        tables++;
        progress.table(t.table, t.rows);
      }
    }
    await endTable();
    if (carry !== '') throw new BackupFormatError('the backup file ends in the middle of a row');
    if (tables !== header.tables.length) throw new BackupFormatError(`the backup holds ${tables} tables, its header says ${header.tables.length}`);
    await resetSequences(trx, store.dialect);
    progress.finish();
    return { tables, rows: total };
  });
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
