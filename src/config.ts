/** Server configuration: flags over environment variables over defaults. */
import { join, resolve } from 'node:path';

export const DEFAULT_PORT = 4599;
export const DEFAULT_HOST = '127.0.0.1';

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  /** Served regions; `any` serves whichever region a request is signed for. */
  regions: string[] | 'any';
  /** Account id to create or use as the default account; random at first start if absent. */
  accountId?: string;
  rootKeyFile: string;
  rootKeyFromEnv?: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  maxBodyBytes: number;
  logLevel: string;
}

export class UsageError extends Error {}

/**
 * The configuration is well formed but does not fit the stored state (a root key that does
 * not open the database, an account id other than the stored one): exit 1 with the message.
 */
export class StartupError extends Error {}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(value) ?? (/^\d+$/.test(value) ? [value, undefined, '', value] : null);
  if (!m) throw new UsageError(`--listen must be HOST:PORT, got '${value}'`);
  const port = Number(m[3]);
  if (port < 0 || port > 65535) throw new UsageError(`--listen port out of range: ${m[3]}`);
  return { host: m[1] ?? (m[2] || DEFAULT_HOST), port };
}

/**
 * The regions served: `--region` may repeat and each value may list several, comma-separated
 * (as COFFER_REGION does). `any` anywhere serves whichever region a request is signed for.
 */
export function parseRegions(values: string[]): string[] | 'any' {
  const regions = [...new Set(values.flatMap((v) => v.split(',')).map((r) => r.trim()).filter((r) => r !== ''))];
  if (regions.length === 0) throw new UsageError('--region needs a region name');
  if (regions.includes('any')) return 'any';
  for (const r of regions) if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(r)) throw new UsageError(`--region '${r}' is not a region name`);
  return regions;
}

/** Parses `serve` flags; `env` supplies COFFER_* variables. */
export function parseServeArgs(args: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  const known = ['listen', 'data-dir', 'database', 'region', 'account-id', 'root-key-file', 'log-level', 'max-body-bytes'];
  for (const name of flags.keys()) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  const one = (name: string, envName: string) => flags.get(name)?.at(-1) ?? env[envName];

  const { host, port } = parseListen(one('listen', 'COFFER_LISTEN') ?? `${DEFAULT_HOST}:${DEFAULT_PORT}`);
  const dataDir = resolve(one('data-dir', 'COFFER_DATA_DIR') ?? './coffer-data');
  const regions = parseRegions(flags.get('region') ?? (env.COFFER_REGION ? [env.COFFER_REGION] : ['us-east-1']));
  const accountId = one('account-id', 'COFFER_ACCOUNT_ID');
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new UsageError('--account-id must be 12 digits');
  const maxBody = Number(one('max-body-bytes', 'COFFER_MAX_BODY_BYTES') ?? 1024 * 1024);
  return {
    host, port, dataDir,
    databaseUrl: one('database', 'COFFER_DATABASE_URL') ?? `sqlite://${join(dataDir, 'coffer.db')}`,
    regions, accountId,
    rootKeyFile: resolve(one('root-key-file', 'COFFER_ROOT_KEY_FILE') ?? join(dataDir, 'root.key')),
    rootKeyFromEnv: env.COFFER_ROOT_KEY,
    rootAccessKeyId: env.COFFER_ROOT_ACCESS_KEY_ID,
    rootSecretAccessKey: env.COFFER_ROOT_SECRET_ACCESS_KEY,
    maxBodyBytes: maxBody,
    logLevel: one('log-level', 'COFFER_LOG_LEVEL') ?? 'info',
  };
}
