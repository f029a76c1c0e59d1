/**
 * `coffer backup --out FILE`: every table of the live database, read in one read-only
 * snapshot (a deferred SQLite transaction under WAL, which pins one snapshot from its first
 * read while the server keeps writing; PostgreSQL REPEATABLE READ READ ONLY), so the copy
 * is of one moment even while servers serve. Written to a temporary file beside FILE
 * (mode 0600) and renamed into place once complete: a FILE that exists is whole.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Store } from '../storage/database.ts';
import type { RootKeyRing } from '../crypto/root-key-ring.ts';
import { readRootKeyRows } from '../crypto/root-key-rows.ts';
import { seal } from '../crypto/aead.ts';
import { StartupError } from '../config.ts';
import { appliedMigrations, insertionOrder, listColumns, listTables } from './catalog.ts';
import { BACKUP_FORMAT, BACKUP_VERSION, FRAME_BYTES, encodeValue, headerHash, sealFrame, wrapAad, type BackupHeader } from './format.ts';
import { Progress } from './progress.ts';

const PAGE_ROWS = 500;

export interface BackupResult {
  file: string;
  tables: number;
  rows: number;
  bytes: number;
}

export async function writeBackup(store: Store, ring: RootKeyRing, out: string, progressOut?: NodeJS.WriteStream): Promise<BackupResult> {
  if (existsSync(out)) throw new StartupError(`${out} exists; coffer backup never overwrites a file (choose another --out or remove it)`);
  const snapshot = store.dialect === 'postgres'
    ? store.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only')
    : store.db.transaction();
  const temp = `${out}.partial-${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  let bytes = 0;
  const write = (buf: Buffer) => { writeSync(fd, buf); bytes += buf.length; };
  try {
    const result = await snapshot.execute(async (trx) => {
      const fileKey = randomBytes(32);
      try {
        const { header, columns } = await describe(trx, store, ring, fileKey);
        const headerLine = Buffer.from(JSON.stringify(header) + '\n', 'utf8');
        write(headerLine);
        const hash = headerHash(headerLine);
        const total = header.tables.reduce((n, t) => n + t.rows, 0);
        const progress = new Progress('backup', total, progressOut);
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let index = 0;
        const push = (line: string) => {
          const b = Buffer.from(line + '\n', 'utf8');
          pending.push(b);
          pendingBytes += b.length;
          if (pendingBytes >= FRAME_BYTES) {
            write(sealFrame(fileKey, Buffer.concat(pending), hash, index++, false));
            pending = [];
            pendingBytes = 0;
          }
        };
        for (const table of header.tables) {
          const cols = columns.get(table.name)!;
          progress.table(table.name, table.rows);
          push(JSON.stringify({ table: table.name, columns: cols, rows: table.rows }));
          const order = sql.raw(cols.map((_, i) => String(i + 1)).join(', '));
          for (let offset = 0; offset < table.rows; offset += PAGE_ROWS) {
            const page = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)} order by ${order} limit ${PAGE_ROWS} offset ${offset}`.execute(trx);
            for (const row of page.rows) push(JSON.stringify(cols.map((c) => encodeValue(row[c]))));
            progress.advance(page.rows.length);
          }
        }
        write(sealFrame(fileKey, Buffer.concat(pending), hash, index, true));
        progress.finish();
        return { tables: header.tables.length, rows: total };
      } finally {
        fileKey.fill(0);
      }
    });
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, out);
    return { file: out, bytes, ...result };
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    rmSync(temp, { force: true });
    throw err;
  }
}

/** The header and each table's columns, read inside the snapshot. */
async function describe(trx: Transaction<Database>, store: Store, ring: RootKeyRing, fileKey: Buffer): Promise<{ header: BackupHeader; columns: Map<string, string[]> }> {
  const tables = await insertionOrder(trx, store.dialect, await listTables(trx, store.dialect));
  const counted: BackupHeader['tables'] = [];
  const columns = new Map<string, string[]>();
  for (const name of tables) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(name)}`.execute(trx);
    counted.push({ name, rows: Number(rows[0]!.n) });
    columns.set(name, await listColumns(trx, store.dialect, name));
  }
  const backupId = randomUUID();
  const live = (await readRootKeyRows(trx)).filter((r) => r.state !== 'retired');
  const wrappedKeys: Record<string, string> = {};
  for (const row of live) {
    if (ring.has(row.generation)) wrappedKeys[row.generation] = seal(ring.keyOf(row.generation), fileKey, wrapAad(backupId, row.generation)).toString('base64');
  }
  return {
    columns,
    header: {
      format: BACKUP_FORMAT, version: BACKUP_VERSION, backupId, createdAt: new Date().toISOString(),
      dialect: store.dialect, migrations: await appliedMigrations(trx), tables: counted,
      rootKeys: live.map((r) => ({ generation: r.generation, provider: r.provider, keyCheck: r.keyCheck })),
      wrappedKeys,
    },
  };
}
