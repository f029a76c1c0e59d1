/**
 * Opens the database behind coffer: an embedded SQLite file by default, or PostgreSQL for
 * production and scale-out. One Kysely query layer serves both.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrate } from './migrations.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT as text by default; our bigints are epoch milliseconds, well
// inside the safe integer range.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openStore(url: string): Promise<Store> {
  let db: Kysely<Database>;
  let dialect: Dialect;
  if (/^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const schema = new URL(url).searchParams.get('schema') ?? undefined;
    const pool = new pg.Pool({
      connectionString: url.replace(/([?&])schema=[^&]*&?/, '$1').replace(/[?&]$/, ''),
      max: 10,
      // A schema per database lets the test suite and several deployments share one server.
      options: schema ? `-c search_path=${schema}` : undefined,
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    const file = url.replace(/^sqlite:(\/\/)?/, '');
    const sqlite = new SQLite(file);
    // WAL keeps readers from blocking the writer; NORMAL sync is durable across process
    // crashes, which is what an embedded single-node server promises.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  await migrate(db, dialect);
  return { db, dialect, close: () => db.destroy() };
}
