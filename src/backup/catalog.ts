/**
 * What a backup holds, read from the database's own catalog rather than from a list kept by
 * hand: every table of the live schema (so a table a later migration adds is in the next
 * backup without anyone remembering it), the foreign keys between them (restore inserts
 * parents first), and the migrations applied (a backup restores only onto the same schema).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Dialect } from '../storage/database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Kysely's bookkeeping: the target database makes its own when it is opened. */
const MIGRATION_TABLES = new Set(['coffer_migrations', 'coffer_migrations_lock']);

export async function listTables(db: Db, dialect: Dialect): Promise<string[]> {
  const rows = dialect === 'sqlite'
    ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)).rows
    : (await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)).rows;
  return rows.map((r) => r.name).filter((n) => !MIGRATION_TABLES.has(n)).sort();
}

/** The column names of a table, in their declared order. */
export async function listColumns(db: Db, dialect: Dialect, table: string): Promise<string[]> {
  if (dialect === 'sqlite') {
    return (await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(db)).rows.map((r) => r.name);
  }
  return (await sql<{ name: string }>`select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db)).rows.map((r) => r.name);
}

/** child → the tables it references. */
async function foreignKeys(db: Db, dialect: Dialect, tables: string[]): Promise<Map<string, Set<string>>> {
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  if (dialect === 'sqlite') {
    for (const t of tables) {
      const rows = (await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t})`.execute(db)).rows;
      for (const r of rows) if (r.table !== t) parents.get(t)!.add(r.table);
    }
  } else {
    const rows = (await sql<{ child: string; parent: string }>`select c.relname as child, p.relname as parent
        from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
        where k.contype = 'f' and k.connamespace = current_schema()::regnamespace`.execute(db)).rows;
    for (const r of rows) if (r.child !== r.parent) parents.get(r.child)?.add(r.parent);
  }
  return parents;
}

/** Tables ordered so that every table comes after the tables it references. */
export async function insertionOrder(db: Db, dialect: Dialect, tables: string[]): Promise<string[]> {
  const parents = await foreignKeys(db, dialect, tables);
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t) || path.has(t)) return;
    path.add(t);
    for (const p of parents.get(t) ?? []) if (parents.has(p)) visit(p, path);
    path.delete(t);
    done.add(t);
    order.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return order;
}

/** The names of the migrations applied to this database, in order. */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const rows = (await sql<{ name: string }>`select name from coffer_migrations order by name`.execute(db)).rows;
  return rows.map((r) => r.name);
}

/**
 * PostgreSQL sequences behind serial or identity columns do not move when rows are inserted
 * with explicit ids: after a restore each is set past the largest id, as pg_dump does.
 */
export async function resetSequences(db: Db, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return; // SQLite's AUTOINCREMENT follows inserted ids by itself.
  const cols = (await sql<{ table_name: string; column_name: string; seq: string | null }>`
      select table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as seq
      from information_schema.columns
      where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`.execute(db)).rows;
  for (const c of cols) {
    if (!c.seq || MIGRATION_TABLES.has(c.table_name)) continue;
    await sql`select setval(${c.seq}, coalesce((select max(${sql.ref(c.column_name)}) from ${sql.table(c.table_name)}), 0) + 1, false)`.execute(db);
  }
}
