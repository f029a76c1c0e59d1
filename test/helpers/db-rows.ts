/**
 * Direct database access for end-to-end tests of a running server (SQLite file or PostgreSQL
 * schema): rows the API cannot make yet or a test cannot wait for — an IAM role written
 * before CreateRole serves, a session whose expiry is moved into the past.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { PG_ADMIN_URL, type TestServer } from './server.ts';

type Row = Record<string, unknown>;

/** Runs one statement written with `$1…` parameters and `{schema}` before table names. */
export async function sql(server: TestServer, statement: string, params: unknown[] = []): Promise<{ rows: Row[]; changes: number }> {
  const url = server.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const schema = new URL(url).searchParams.get('schema');
    assert.ok(schema && /^[a-z0-9_]+$/.test(schema), `unexpected schema in ${url}`);
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      const res = await client.query(statement.replaceAll('{schema}', `${schema}.`), params);
      return { rows: res.rows as Row[], changes: res.rowCount ?? 0 };
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(url.replace(/^sqlite:(\/\/)?/, ''));
  try {
    const text = statement.replaceAll('{schema}', '').replace(/\$\d+/g, '?');
    const stmt = db.prepare(text);
    if (stmt.reader) return { rows: stmt.all(...params) as Row[], changes: 0 };
    return { rows: [], changes: stmt.run(...params).changes };
  } finally {
    db.close();
  }
}

export interface RoleSpec {
  name: string;
  trustPolicy: unknown;
  path?: string;
  maxSessionDuration?: number;
  tags?: { Key: string; Value: string }[];
  /** Inline permission policies of the role, by name. */
  policies?: Record<string, unknown>;
}

export interface InsertedRole {
  arn: string;
  roleId: string;
  name: string;
}

/** An IAM role row (and its inline policies) as CreateRole/PutRolePolicy would write them. */
export async function insertRole(server: TestServer, spec: RoleSpec): Promise<InsertedRole> {
  const path = spec.path ?? '/';
  const arn = `arn:aws:iam::${server.accountId}:role${path}${spec.name}`;
  const roleId = `AROA${randomBytes(16).toString('hex').toUpperCase().slice(0, 17)}`;
  await sql(server,
    `INSERT INTO {schema}iam_roles (account_id, role_key, role_name, role_id, path, arn, trust_policy, description, max_session_duration, permissions_boundary, tags, created_at, last_used_at, last_used_region)
     VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, NULL, $9, $10, NULL, NULL)`,
    [server.accountId, spec.name.toLowerCase(), spec.name, roleId, path, arn, JSON.stringify(spec.trustPolicy),
      spec.maxSessionDuration ?? 3600, JSON.stringify(spec.tags ?? []), Date.now()]);
  for (const [policyName, document] of Object.entries(spec.policies ?? {})) {
    await sql(server,
      'INSERT INTO {schema}iam_inline_policies (account_id, owner_type, owner_key, policy_name, document) VALUES ($1, $2, $3, $4, $5)',
      [server.accountId, 'role', spec.name.toLowerCase(), policyName, JSON.stringify(document)]);
  }
  return { arn, roleId, name: spec.name };
}

/** Moves an STS session's expiry a minute into the past. */
export async function expireSession(server: TestServer, accessKeyId: string): Promise<void> {
  const res = await sql(server, 'UPDATE {schema}sts_sessions SET expires_at = $1 WHERE access_key_id = $2', [Date.now() - 60_000, accessKeyId]);
  assert.equal(res.changes, 1, `no STS session ${accessKeyId}`);
}

export async function sessionRow(server: TestServer, accessKeyId: string): Promise<Row | undefined> {
  return (await sql(server, 'SELECT * FROM {schema}sts_sessions WHERE access_key_id = $1', [accessKeyId])).rows[0];
}
