/**
 * PostgreSQL for the built-in rotation functions (driver `pg`).
 *
 * Single user: the user changes its own password. Alternating users: the master creates
 * `<user>_clone` as a member of `<user>` whose sessions start with `SET ROLE <user>`
 * (`ALTER ROLE … SET role`), so whatever either login creates is owned by `<user>`, the
 * owning role, and every grant, membership and default privilege given to `<user>` applies
 * to both. Nothing has to be copied, so the pair cannot drift apart.
 */
import pg from 'pg';
import type { DbSession, Engine } from './engine.ts';
import { baseUsername, portOf, type DbSecret } from './secret-json.ts';
import { signIn } from './sign-in.ts';
import { scramSafe, scramVerifier } from './pg-scram.ts';

const CONNECT_TIMEOUT_MS = 5000;

/** `%I`-style identifier quoting: always quoted, `"` doubled; NUL cannot be in a name. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error('A PostgreSQL name cannot contain a NUL character');
  return `"${name.replace(/"/g, '""')}"`;
}

/** `%L`-style literal: `'` doubled, and as E'' with `\` doubled when it holds one, so standard_conforming_strings does not matter. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('A PostgreSQL string cannot contain a NUL character');
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** The PASSWORD clause: a SCRAM verifier where possible (the plaintext stays out of server logs). */
function passwordClause(password: string): string {
  return `PASSWORD ${quoteLiteral(scramSafe(password) ? scramVerifier(password) : password)}`;
}

export class PgSession implements DbSession {
  constructor(readonly client: pg.Client, readonly passwordChecked: boolean) {}
  async ping(): Promise<void> {
    await this.client.query('SELECT now()');
  }
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

function notSupportingTls(err: unknown): boolean {
  return /does not support SSL/i.test(String((err as Error)?.message));
}

async function open(secret: DbSecret, dbname: string | undefined, ssl: boolean): Promise<PgSession> {
  const client = new pg.Client({
    host: secret.host,
    port: portOf(secret, 5432),
    user: secret.username,
    password: secret.password,
    database: dbname ?? (typeof secret.dbname === 'string' && secret.dbname !== '' ? secret.dbname : 'postgres'),
    // TLS verified against Node's CAs (plus NODE_EXTRA_CA_CERTS, a function variable).
    ssl: ssl ? { rejectUnauthorized: true, servername: secret.host } : false,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'coffer-rotation',
  });
  client.on('error', () => undefined);
  // The server asks for a password (cleartext, MD5 or SCRAM) unless pg_hba trusts the connection.
  let passwordChecked = false;
  const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  for (const event of ['authenticationCleartextPassword', 'authenticationMD5Password', 'authenticationSASL']) {
    connection.once(event, () => { passwordChecked = true; });
  }
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return new PgSession(client, passwordChecked);
}

export const postgres: Engine<PgSession> = {
  label: 'PostgreSQL',
  defaultPort: 5432,
  acceptedEngines: ['postgres', 'aurora-postgresql'],
  defaultExcludeCharacters: ':/@"\'\\',
  maxUsernameLength: () => 63,

  connect(secret, options = {}) {
    return signIn(secret, (tls) => open(secret, options.dbname, tls), notSupportingTls);
  },

  async setOwnPassword(session, pending) {
    await session.client.query(`ALTER ROLE ${quoteIdent(pending.username)} WITH ${passwordClause(pending.password)}`);
  },

  async setAlternatePassword(master, current, _currentSession, pending) {
    const owner = baseUsername(current.username);
    const c = master.client;
    // One transaction: the pending login works only once membership and settings are in place.
    await c.query('BEGIN');
    try {
      const exists = await c.query('SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1', [pending.username]);
      if (exists.rowCount === 0) await c.query(`CREATE ROLE ${quoteIdent(pending.username)} NOLOGIN`);
      if (pending.username !== owner) {
        // The clone: a member of the owning role, acting as it from the first statement of each session.
        const member = await c.query(
          `SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.roleid JOIN pg_catalog.pg_roles u ON u.oid = m.member
           WHERE r.rolname = $1 AND u.rolname = $2`, [owner, pending.username]);
        if (member.rowCount === 0) await c.query(`GRANT ${quoteIdent(owner)} TO ${quoteIdent(pending.username)}`);
        await c.query(`ALTER ROLE ${quoteIdent(pending.username)} INHERIT`);
        await c.query(`ALTER ROLE ${quoteIdent(pending.username)} SET role = ${quoteLiteral(owner)}`);
      }
      await c.query(`ALTER ROLE ${quoteIdent(pending.username)} WITH LOGIN ${passwordClause(pending.password)}`);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },
};
