/**
 * Starts a real coffer server in a child process, the way a user does (`coffer serve`),
 * on a fresh data dir and, when COFFER_TEST_DATABASE=postgres, a fresh PostgreSQL schema.
 * Tests talk to it only over HTTP, through the real AWS clients.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const COFFER_BIN = join(REPO, 'bin', 'coffer.mjs');
export const TEST_DATABASE = (process.env.COFFER_TEST_DATABASE ?? 'sqlite') as 'sqlite' | 'postgres';
export const PG_ADMIN_URL = process.env.COFFER_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface ServerOptions {
  /** Extra `coffer serve` flags. */
  args?: string[];
  /** Extra environment. */
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  /** Reuse a database URL (restart tests, several nodes on one PostgreSQL). */
  databaseUrl?: string;
  /** Root credentials given through the environment; default: a fixed pair per server. */
  root?: Credentials | null;
  /** Extra Node.js flags before the script (the bench's `--cpu-prof`). */
  nodeArgs?: string[];
}

export interface TestServer {
  endpoint: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  accountId: string;
  root: Credentials;
  /** HTTPS with a private CA (`--tls self-signed`, `--tls-ca`): the CA's PEM, which the helpers' clients trust. */
  ca?: string;
  /** Everything the process printed on stdout. */
  stdout(): string;
  stderr(): string;
  process: ChildProcess;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** Stop, then drop the data dir and the PostgreSQL schema. */
  destroy(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function newRootCredentials(): Credentials {
  return { accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** A fresh PostgreSQL schema in the test database, as a `--database` URL. */
export async function newPostgresSchema(): Promise<string> {
  const schema = `coffer_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return `${PG_ADMIN_URL}?schema=${schema}`;
}

export async function dropPostgresSchema(url: string): Promise<void> {
  const schema = new URL(url).searchParams.get('schema');
  if (!schema) return;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The SDK clients' request handler options for `server`: its CA trusted when it has one. */
export function clientTls(server: TestServer): { requestHandler?: { httpsAgent: HttpsAgent } } {
  return server.ca ? { requestHandler: { httpsAgent: new HttpsAgent({ ca: server.ca, keepAlive: true }) } } : {};
}

export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'coffer-test-'));
  const databaseUrl = opts.databaseUrl
    ?? (TEST_DATABASE === 'postgres' ? await newPostgresSchema() : `sqlite://${join(dataDir, 'coffer.db')}`);
  const root = opts.root === null ? undefined : (opts.root ?? newRootCredentials());
  const env: Record<string, string> = { ...process.env as Record<string, string>, COFFER_LOG_LEVEL: 'warn', ...opts.env };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_')) delete env[name];
  if (root) {
    env.COFFER_ROOT_ACCESS_KEY_ID = root.accessKeyId;
    env.COFFER_ROOT_SECRET_ACCESS_KEY = root.secretAccessKey;
  }
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), COFFER_BIN, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--database', databaseUrl, ...(opts.args ?? [])], {
    env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that ends without destroying its servers must not leave them running.
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A server that never got ready must not outlive the test and keep its runner alive.
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 90s\nstdout:\n${out}\nstderr:\n${err}`));
    }, 90_000);
    const check = () => {
      const m = /endpoint:\s+(http\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before it was ready\nstdout:\n${out}\nstderr:\n${err}`)); });
  });
  const accountId = /account id:\s+(\d{12})/.exec(out)![1]!;
  // The banner names the CA file clients must trust (docs/operations.md, "TLS").
  const caFile = /TLS:\s+development CA ([^\s;]+)/.exec(out)?.[1] ?? /clients trust (\S+) \(AWS_CA_BUNDLE\)/.exec(out)?.[1];
  let credentials = root;
  if (!credentials) {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(join(dataDir, 'root-credentials'), 'utf8');
    credentials = { accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1]!, secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1]! };
  }
  let stopped: Promise<number | null> | undefined;
  const server: TestServer = {
    endpoint,
    port: Number(new URL(endpoint).port),
    dataDir, databaseUrl, accountId, root: credentials,
    ca: caFile === undefined ? undefined : readFileSync(caFile, 'utf8'),
    stdout: () => out,
    stderr: () => err,
    process: child,
    stop() {
      if (!stopped) {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        stopped = exited;
      }
      return stopped;
    },
    async destroy() {
      await server.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (!opts.databaseUrl && TEST_DATABASE === 'postgres') await dropPostgresSchema(databaseUrl);
    },
  };
  return server;
}
