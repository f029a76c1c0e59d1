/**
 * Every column the root key seals, found in the live schema rather than listed by hand: by
 * convention (src/storage/schema.ts) a column named `*_sealed` holds a value sealed by the
 * root key ring, so a table added later is rotated without anyone remembering to add it.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Dialect } from '../storage/database.ts';

export interface SealedColumn {
  table: string;
  column: string;
  /** The table's primary key columns, in order: how a row is re-sealed in place. */
  key: string[];
}

export const sealedColumnName = (c: SealedColumn) => `${c.table}.${c.column}`;

export async function sealedColumns(db: Kysely<Database>, dialect: Dialect): Promise<SealedColumn[]> {
  const found: SealedColumn[] = [];
  if (dialect === 'sqlite') {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
    for (const { name } of tables.rows) {
      const cols = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${name})`.execute(db);
      const key = cols.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
      for (const c of cols.rows) if (c.name.endsWith('_sealed')) found.push({ table: name, column: c.name, key });
    }
  } else {
    const cols = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and column_name like '%\\_sealed' escape '\\'
      order by table_name, column_name`.execute(db);
    const keys = await sql<{ table_name: string; column_name: string }>`
      select kcu.table_name, kcu.column_name from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu
        on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema and kcu.table_name = tc.table_name
      where tc.constraint_type = 'PRIMARY KEY' and tc.table_schema = current_schema()
      order by kcu.table_name, kcu.ordinal_position`.execute(db);
    for (const c of cols.rows) {
      found.push({ table: c.table_name, column: c.column_name, key: keys.rows.filter((k) => k.table_name === c.table_name).map((k) => k.column_name) });
    }
  }
  for (const c of found) {
    if (c.key.length === 0) throw new Error(`${sealedColumnName(c)} is in a table without a primary key; a rotation cannot re-seal its rows in place`);
  }
  return found;
}
