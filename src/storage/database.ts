/**
 * Opens the database behind coffer: an embedded SQLite file by default, or PostgreSQL for
 * production and scale-out. One Kysely query layer serves both.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { migrate } from './migrations.ts';
import { lockForServing, type ServeLock } from './serve-lock.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /**
   * The embedded database's own handle, for hot paths that reuse prepared statements (the
   * audit trail's appends). Use it only inside `db.connection().execute(…)`, which holds the
   * one connection: between the awaits of a Kysely transaction it is that transaction's.
   */
  sqlite?: SQLite.Database;
  /** PostgreSQL's connection pool counts (for /metrics); SQLite has no pool. */
  pool?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT as text by default; our bigints are epoch milliseconds, well
// inside the safe integer range.
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * How to connect to the PostgreSQL database a `postgres://` URL names; `?schema=NAME` becomes
 * the search path. The pool and the cluster's notification connection both use it.
 */
export function postgresConnection(url: string): pg.ClientConfig {
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  return {
    connectionString: url.replace(/([?&])schema=[^&]*&?/, '$1').replace(/[?&]$/, ''),
    // A schema per database lets the test suite and several deployments share one server.
    options: schema ? `-c search_path=${schema}` : undefined,
  };
}

export interface OpenOptions {
  /** `coffer serve`: on SQLite, refuse when another process serves the same file (serve-lock.ts). */
  serving?: boolean;
}

export async function openStore(url: string, options: OpenOptions = {}): Promise<Store> {
  let db: Kysely<Database>;
  let raw: SQLite.Database | undefined;
  let dialect: Dialect;
  let poolStats: Store['pool'];
  let serveLock: ServeLock | undefined;
  if (/^postgres(ql)?:\/\//.test(url)) {
    dialect = 'postgres';
    const pool = new pg.Pool({ ...postgresConnection(url), max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  } else {
    dialect = 'sqlite';
    const file = url.replace(/^sqlite:(\/\/)?/, '');
    if (options.serving && file !== ':memory:' && file !== '') serveLock = lockForServing(file);
    const sqlite = new SQLite(file);
    // WAL keeps readers from blocking the writer; NORMAL sync is durable across process
    // crashes, which is what an embedded single-node server promises.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    raw = sqlite;
  }
  try {
    await migrate(db, dialect);
  } catch (err) {
    await db.destroy();
    serveLock?.release();
    throw err;
  }
  return {
    db, dialect, pool: poolStats, ...(raw ? { sqlite: raw } : {}),
    close: async () => {
      await db.destroy();
      serveLock?.release();
    },
  };
}
