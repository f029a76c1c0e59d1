/**
 * Checks a PostgreSQL login's password without logging in: the test server trusts local
 * logins, so a connection would succeed with any password. Used by the rotation tests to
 * prove a rotation really changed the role's password.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import type pg from 'pg';

/** Whether `password` matches the role's SCRAM-SHA-256 verifier in pg_authid (RFC 5802/7677). */
export async function pgPasswordMatches(admin: pg.Client, user: string, password: string): Promise<boolean> {
  const { rows } = await admin.query<{ rolpassword: string }>('select rolpassword from pg_authid where rolname = $1', [user]);
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(rows[0]?.rolpassword ?? '');
  assert.ok(m, `a SCRAM verifier for ${user}`);
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(m[2]!, 'base64'), Number(m[1]), 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
  return storedKey === m[3] && serverKey === m[4];
}
