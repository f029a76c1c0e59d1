/**
 * Looks for plaintext where it must not be: every file under a directory (the SQLite
 * database, its -wal and -shm files, anything else a server leaves there) and a PostgreSQL
 * schema dumped with pg_dump, the way an attacker with a copy of either would look.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PG_ADMIN_URL } from './server.ts';

const run = promisify(execFile);

export interface Needle {
  label: string;
  bytes: Buffer;
}

/** A string needle (as UTF-8). */
export const text = (label: string, value: string): Needle => ({ label, bytes: Buffer.from(value, 'utf8') });

/** A binary needle, as raw bytes and as base64 (how JSON protocols carry bytes). */
export function binary(label: string, value: Buffer): Needle[] {
  return [{ label, bytes: value }, { label: `${label} (base64)`, bytes: Buffer.from(value.toString('base64'), 'utf8') }];
}

export interface Haystack {
  name: string;
  bytes: Buffer;
}

/** Every regular file under `dir`, read as it is now. */
export function filesUnder(dir: string, skip: (path: string) => boolean = () => false): Haystack[] {
  const out: Haystack[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (skip(path)) continue;
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue; // -wal and -shm files come and go.
    if (st.isDirectory()) out.push(...filesUnder(path, skip));
    else if (st.isFile()) out.push({ name: path, bytes: readFileSync(path) });
  }
  return out;
}

/** `pg_dump` of the schema behind a `postgres://…?schema=` URL: data and DDL, as plain SQL. */
export async function pgDump(databaseUrl: string): Promise<Haystack> {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (!schema) throw new Error(`no schema in ${databaseUrl}`);
  const admin = new URL(PG_ADMIN_URL);
  const args = ['-h', admin.hostname, '-p', admin.port || '5432', '-U', decodeURIComponent(admin.username || 'postgres'), '-n', schema, admin.pathname.slice(1)];
  const env = { ...process.env, ...(admin.password ? { PGPASSWORD: decodeURIComponent(admin.password) } : {}) };
  const { stdout } = await run('pg_dump', args, { env, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  return { name: `pg_dump -n ${schema}`, bytes: stdout };
}

/** Which needles occur in which haystacks, as "label in name" lines (empty when none do). */
export function occurrences(needles: Needle[], haystacks: Haystack[]): string[] {
  const found: string[] = [];
  for (const h of haystacks) {
    for (const n of needles) if (h.bytes.includes(n.bytes)) found.push(`${n.label} in ${h.name}`);
  }
  return found;
}
