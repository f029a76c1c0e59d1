/**
 * MySQL and MariaDB for the built-in rotation functions (driver `mysql2`).
 *
 * Names are always backtick-quoted (`` ` `` doubled), which no sql_mode changes. Passwords
 * cannot be bound as parameters in SET PASSWORD / ALTER USER (the server refuses `?` there,
 * and PASSWORD() takes only a literal), so they are string literals escaped for the session's
 * sql_mode (`'` doubled, and `\` doubled unless NO_BACKSLASH_ESCAPES), read from the server.
 *
 * Alternating users: the master creates `<user>_clone` locked, makes its grants exactly the
 * current user's (SHOW GRANTS replayed, extra ones revoked, roles and the default role too),
 * copies the REQUIRE (TLS) options, and only then sets the password and unlocks it. This runs
 * at every rotation, so the pair never drifts apart.
 */
import mysql from 'mysql2/promise';
import type { DbSession, Engine } from './engine.ts';
import { portOf, type DbSecret } from './secret-json.ts';
import { signIn } from './sign-in.ts';

const CONNECT_TIMEOUT_MS = 5000;

export function quoteName(name: string): string {
  if (name.includes('\0')) throw new Error('A MySQL name cannot contain a NUL character');
  return '`' + name.replace(/`/g, '``') + '`';
}

/** `user`@`host`, the account form no sql_mode can change the meaning of. */
export function quoteAccount(user: string, host: string): string {
  return `${quoteName(user)}@${quoteName(host)}`;
}

/** A string literal for the session's sql_mode. */
export function stringLiteral(value: string, noBackslashEscapes: boolean): string {
  if (value.includes('\0')) throw new Error('A MySQL string cannot contain a NUL character');
  const body = noBackslashEscapes ? value.replace(/'/g, "''") : value.replace(/\\/g, '\\\\').replace(/'/g, "''");
  return `'${body}'`;
}

export class MySqlSession implements DbSession {
  /** MySQL and MariaDB check the password of every account that has one. */
  readonly passwordChecked = true;
  private info?: { mariadb: boolean; major: number; noBackslashEscapes: boolean };
  constructor(readonly conn: mysql.Connection) {}

  async ping(): Promise<void> {
    await this.conn.query('SELECT NOW()');
  }

  async close(): Promise<void> {
    await this.conn.end().catch(() => this.conn.destroy());
  }

  async server(): Promise<{ mariadb: boolean; major: number; noBackslashEscapes: boolean }> {
    if (!this.info) {
      const [rows] = await this.conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v, @@SESSION.sql_mode AS m');
      const version = String(rows[0]!.v);
      this.info = {
        mariadb: /mariadb/i.test(version),
        major: Number.parseInt(version, 10),
        noBackslashEscapes: String(rows[0]!.m).split(',').includes('NO_BACKSLASH_ESCAPES'),
      };
    }
    return this.info;
  }

  /** The password for this server: `set` for SET PASSWORD (PASSWORD('…') where it exists), `identified` for MySQL 8+'s ALTER USER. */
  async passwordValue(password: string): Promise<{ set: string; identified: string }> {
    const s = await this.server();
    const literal = stringLiteral(password, s.noBackslashEscapes);
    return { set: s.mariadb || s.major < 8 ? `PASSWORD(${literal})` : literal, identified: `IDENTIFIED BY ${literal}` };
  }

  async query<T extends mysql.RowDataPacket[] | mysql.ResultSetHeader = mysql.ResultSetHeader>(sql: string, params?: unknown[]): Promise<T> {
    const [rows] = params ? await this.conn.execute<T>(sql, params as never) : await this.conn.query<T>(sql);
    return rows;
  }
}

function notSupportingTls(err: unknown): boolean {
  return (err as { code?: string })?.code === 'HANDSHAKE_NO_SSL_SUPPORT' || /does not support secure connection/i.test(String((err as Error)?.message));
}

async function open(secret: DbSecret, dbname: string | undefined, ssl: boolean): Promise<MySqlSession> {
  const database = dbname ?? (typeof secret.dbname === 'string' && secret.dbname !== '' ? secret.dbname : undefined);
  const conn = await mysql.createConnection({
    host: secret.host,
    port: portOf(secret, 3306),
    user: secret.username,
    password: secret.password,
    database,
    ssl: ssl ? { rejectUnauthorized: true } : undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
  });
  conn.on('error', () => undefined);
  return new MySqlSession(conn);
}

/** One SHOW GRANTS line with the grantee swapped: the grantee is found by its exact rendering, never by parsing the name. */
function regrant(line: string, from: { user: string; host: string }, to: string): string | null {
  const renderings = [
    quoteAccount(from.user, from.host),
    `'${from.user.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'@'${from.host.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`,
    `'${from.user.replace(/'/g, "''")}'@'${from.host.replace(/'/g, "''")}'`,
  ];
  for (const r of renderings) {
    for (const lead of [' TO ', ' FOR ']) {
      const at = line.lastIndexOf(lead + r);
      if (at >= 0) return line.slice(0, at) + lead + to + line.slice(at + lead.length + r.length);
    }
  }
  return null;
}

/** A GRANT line without the password hash or authentication plugin MariaDB shows in it. */
function withoutCredentials(line: string): string {
  return line.replace(/ IDENTIFIED (BY PASSWORD '[^']*'|VIA .*?)(?= REQUIRE | WITH |$)/, '');
}

function grantLines(rows: mysql.RowDataPacket[]): string[] {
  return rows.map((r) => String(Object.values(r)[0]));
}

async function accountOf(session: MySqlSession): Promise<{ user: string; host: string }> {
  const rows = await session.query<mysql.RowDataPacket[]>('SELECT CURRENT_USER() AS u');
  const account = String(rows[0]!.u);
  const at = account.lastIndexOf('@');
  return { user: account.slice(0, at), host: account.slice(at + 1) };
}

export const mysqlEngine: Engine<MySqlSession> = {
  label: 'MySQL',
  defaultPort: 3306,
  acceptedEngines: ['mysql', 'aurora-mysql', 'mariadb'],
  defaultExcludeCharacters: '/@"\'\\',
  // MySQL 5.7+/8 take 32 characters, MariaDB 80; AWS's MySQL template reads the limit from USERNAME_CHARACTER_LIMIT (default 16).
  maxUsernameLength: (env) => (env.USERNAME_CHARACTER_LIMIT ? Number.parseInt(env.USERNAME_CHARACTER_LIMIT, 10) : 32),

  connect(secret, options = {}) {
    return signIn(secret, (tls) => open(secret, options.dbname, tls), notSupportingTls);
  },

  async setOwnPassword(session, pending) {
    const s = await session.server();
    const value = await session.passwordValue(pending.password);
    if (s.mariadb || s.major < 8) await session.query(`SET PASSWORD = ${value.set}`);
    else await session.query(`ALTER USER CURRENT_USER() ${value.identified}`);
  },

  async setAlternatePassword(master, _current, currentSession, pending) {
    const from = await accountOf(currentSession);
    const target = quoteAccount(pending.username, from.host);
    const s = await master.server();

    const exists = await master.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?', [pending.username, from.host]);
    // Created locked: it cannot sign in until its grants are the current user's.
    if (Number(exists[0]!.n) === 0) await master.query(`CREATE USER ${target} ACCOUNT LOCK`);

    const wanted = grantLines(await master.query<mysql.RowDataPacket[]>(`SHOW GRANTS FOR ${quoteAccount(from.user, from.host)}`))
      .map((line) => regrant(withoutCredentials(line), from, target))
      .filter((line): line is string => line !== null);
    const have = grantLines(await master.query<mysql.RowDataPacket[]>(`SHOW GRANTS FOR ${target}`))
      .map((line) => regrant(withoutCredentials(line), { user: pending.username, host: from.host }, target))
      .filter((line): line is string => line !== null);

    // Revoke what the pending user has and the current user has not (drift), then grant what it lacks.
    for (const line of have) {
      if (wanted.includes(line) || !line.startsWith('GRANT ')) continue;
      // Split at the grantee we put there, so nothing in a name is parsed as syntax.
      const at = line.lastIndexOf(` TO ${target}`);
      if (at < 0) continue;
      const granted = line.slice('GRANT '.length, at);
      const tail = line.slice(at + ` TO ${target}`.length);
      if (granted.startsWith('USAGE ON ')) {
        // Only REQUIRE lives here (MariaDB); the current user's own USAGE line below sets it again.
        if (s.mariadb && / REQUIRE /.test(tail)) await master.query(`ALTER USER ${target} REQUIRE NONE`);
        continue;
      }
      const grantOption = tail.includes('WITH GRANT OPTION') ? ', GRANT OPTION' : '';
      const on = granted.indexOf(' ON ');
      const what = on >= 0 ? granted.slice(0, on) + grantOption + granted.slice(on) : granted;
      await master.query(`REVOKE ${what} FROM ${target}`);
    }
    for (const line of wanted) {
      if (have.includes(line) && !line.startsWith('SET DEFAULT ROLE')) continue;
      // MariaDB shows REQUIRE in the USAGE line; on MySQL 8 it is copied below from mysql.user.
      await master.query(line);
    }
    if (!s.mariadb && s.major >= 8) {
      const tls = await master.query<mysql.RowDataPacket[]>('SELECT ssl_type, CAST(ssl_cipher AS CHAR) AS c, CAST(x509_issuer AS CHAR) AS i, CAST(x509_subject AS CHAR) AS s FROM mysql.user WHERE User = ? AND Host = ?', [from.user, from.host]);
      const t = tls[0];
      const lit = (v: unknown) => stringLiteral(String(v ?? ''), s.noBackslashEscapes);
      const require = !t || t.ssl_type === '' ? 'NONE' : t.ssl_type === 'ANY' ? 'SSL' : t.ssl_type === 'X509' ? 'X509'
        : [t.c && `CIPHER ${lit(t.c)}`, t.i && `ISSUER ${lit(t.i)}`, t.s && `SUBJECT ${lit(t.s)}`].filter(Boolean).join(' AND ') || 'NONE';
      await master.query(`ALTER USER ${target} REQUIRE ${require}`);
    }
    // Last: the password, and the account unlocked (the pending login now works, which setSecret's retry checks first).
    if (s.mariadb || s.major < 8) {
      await master.query(`SET PASSWORD FOR ${target} = ${(await master.passwordValue(pending.password)).set}`);
      await master.query(`ALTER USER ${target} ACCOUNT UNLOCK`);
    } else {
      await master.query(`ALTER USER ${target} ${(await master.passwordValue(pending.password)).identified} ACCOUNT UNLOCK`);
    }
  },
};
