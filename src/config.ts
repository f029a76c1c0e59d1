/** Server configuration: flags over environment variables over the config file (--config) over defaults. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RootKeyProviderKind, RootKeySource } from './crypto/root-key-source.ts';
import { readConfigFile, type FileSettings } from './config-file.ts';
import { parseTlsOptions, TLS_FLAGS, type TlsOptions } from './tls/tls-options.ts';
import { AUDIT_FLAGS, parseAuditOptions, type AuditOptions } from './audit/audit-options.ts';
import { parseMetricsListen, type MetricsListen } from './metrics/metrics-listen.ts';
import { LIMIT_FLAGS, parseHttpLimits, type HttpLimits } from './http/limits.ts';
import { parseThrottleOptions, THROTTLE_FLAGS } from './throttle/throttle-options.ts';
import type { ThrottleConfig } from './throttle/throttle.ts';
import { parseReplicationOptions, REPLICATION_FLAGS, type ReplicationOptions } from './services/secretsmanager/replication/options.ts';

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
  /** Where the root key comes from (file, passphrase or external KMS); see docs/root-key.md. */
  rootKey: RootKeySource;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  maxBodyBytes: number;
  /**
   * After SIGTERM, how long the node keeps answering (with /ready 503 and Connection: close)
   * before it stops accepting: long enough for a load balancer to take it out of rotation.
   */
  drainGraceMs: number;
  logLevel: string;
  /** How Lambda functions run (src/services/lambda/runtime, docs/lambda.md "Runtime"). */
  functions: FunctionRuntimeConfig;
  /** HTTPS on the listen address (src/tls/); absent: plain HTTP. */
  tls?: TlsOptions;
  /** Where /metrics is served: beside the API (`same`), nowhere, or on a listener of its own. */
  metricsListen: MetricsListen;
  /** Header, connection and slow-client limits (src/http/limits.ts). */
  limits: HttpLimits;
  /** Per-account request rates (src/throttle/). */
  throttle: ThrottleConfig;
  /** The audit trail's JSON-lines file and digest interval (src/audit/, docs/audit.md). */
  audit: AuditOptions;
  /** Peer regions, their credentials and whom this deployment trusts to write replicas (docs/replication.md). */
  replication?: ReplicationOptions;
}

export interface FunctionRuntimeConfig {
  /** The interpreter for `python3.x` functions. */
  python: string;
  /** The `node` for `nodejs18.x`/`20.x`/`22.x` functions. */
  node: string;
  /** Invocations running at once on this node; more wait in line. */
  concurrency: number;
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

/**
 * Every `serve` option's long name: each is a flag `--NAME`, a config file key `NAME` and
 * (docs/configuration.md) an environment variable; `coffer serve --help` must list each one
 * (test/cli-help.test.ts checks). `--config` itself is not among them: a file cannot name a file.
 */
export function serveOptionNames(): string[] {
  return ['listen', 'data-dir', 'database', 'region', 'account-id', ...ROOT_KEY_FLAGS, 'log-level', 'max-body-bytes', 'drain-grace-ms', ...FUNCTION_FLAGS, ...TLS_FLAGS, 'metrics-listen', ...LIMIT_FLAGS, ...THROTTLE_FLAGS, ...AUDIT_FLAGS, ...REPLICATION_FLAGS];
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
  const known = serveOptionNames();
  for (const name of flags.keys()) if (name !== 'config' && !known.includes(name)) throw new UsageError(`unknown option --${name}`);
  const configFile = flags.get('config')?.at(-1) ?? (env.COFFER_CONFIG || undefined);
  const file: FileSettings = configFile === undefined ? new Map() : readConfigFile(resolve(configFile), known);
  const one = (name: string, envName: string) => flags.get(name)?.at(-1) ?? env[envName] ?? file.get(name)?.at(-1);

  const { host, port } = parseListen(one('listen', 'COFFER_LISTEN') ?? `${DEFAULT_HOST}:${DEFAULT_PORT}`);
  const dataDir = resolve(one('data-dir', 'COFFER_DATA_DIR') ?? './coffer-data');
  const regions = parseRegions(flags.get('region') ?? (env.COFFER_REGION ? [env.COFFER_REGION] : file.get('region') ?? ['us-east-1']));
  const accountId = one('account-id', 'COFFER_ACCOUNT_ID');
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new UsageError('--account-id must be 12 digits');
  const maxBody = Number(one('max-body-bytes', 'COFFER_MAX_BODY_BYTES') ?? 1024 * 1024);
  const drainGraceMs = Number(one('drain-grace-ms', 'COFFER_DRAIN_GRACE_MS') ?? 250);
  if (!Number.isInteger(drainGraceMs) || drainGraceMs < 0) throw new UsageError('--drain-grace-ms must be a whole number of milliseconds');
  return {
    host, port, dataDir,
    databaseUrl: one('database', 'COFFER_DATABASE_URL') ?? `sqlite://${join(dataDir, 'coffer.db')}`,
    regions, accountId,
    rootKey: parseRootKeySource((name) => flags.get(name)?.at(-1), env, { prefix: '', dataDir }, (name) => file.get(name)?.at(-1))!,
    rootAccessKeyId: env.COFFER_ROOT_ACCESS_KEY_ID,
    rootSecretAccessKey: env.COFFER_ROOT_SECRET_ACCESS_KEY,
    maxBodyBytes: maxBody,
    drainGraceMs,
    logLevel: one('log-level', 'COFFER_LOG_LEVEL') ?? 'info',
    functions: parseFunctionRuntime(one),
    tls: parseTlsOptions(one),
    metricsListen: parseMetricsListen(one('metrics-listen', 'COFFER_METRICS_LISTEN'), parseListen),
    limits: parseHttpLimits(one),
    throttle: parseThrottleOptions(one, (name, envName) => flags.get(name) ?? (env[envName] ? [env[envName]!] : file.get(name) ?? [])),
    audit: parseAuditOptions(one),
    replication: parseReplicationOptions(one, (name, envName) => flags.get(name) ?? (env[envName] ? [env[envName]!] : file.get(name) ?? []), env),
  };
}

const FUNCTION_FLAGS = ['python', 'node', 'function-concurrency'];

/** `--python`, `--node`, `--function-concurrency`: the interpreters functions run on, and how many at once. */
function parseFunctionRuntime(one: (name: string, envName: string) => string | undefined): FunctionRuntimeConfig {
  const concurrency = Number(one('function-concurrency', 'COFFER_FUNCTION_CONCURRENCY') ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--function-concurrency must be a positive integer');
  return {
    // Debian's interpreter, where the rotation templates' drivers (python3-boto3, python3-pygresql) are installed.
    python: one('python', 'COFFER_PYTHON') ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'),
    node: one('node', 'COFFER_NODE') ?? process.execPath,
    concurrency,
  };
}

/** The root key options of `serve`; `coffer root-key rotate` takes them again prefixed `new-` for the new key. */
export const ROOT_KEY_FLAGS = [
  'root-key-provider', 'root-key-file', 'root-key-passphrase-file',
  'root-key-kms-key-id', 'root-key-kms-endpoint', 'root-key-kms-region', 'root-key-kms-profile', 'root-key-kms-ca-bundle',
];

const PROVIDERS: readonly RootKeyProviderKind[] = ['file', 'passphrase', 'kms'];

/**
 * Root key options from flags (`flag(name)`, last value wins) over COFFER_* variables. Secret
 * values (a key, a passphrase, KMS credentials) are taken only from the environment or a
 * file, never from a flag, which `ps` would show. The provider is `--root-key-provider`, or
 * the one whose options are given, or `file`. With prefix `new-` (flags `--new-root-key-…`,
 * variables `COFFER_NEW_ROOT_KEY_…`), undefined when no option is given.
 */
export function parseRootKeySource(
  flag: (name: string) => string | undefined, env: NodeJS.ProcessEnv, opts: { prefix: '' | 'new-'; dataDir: string },
  /** The config file's setting (serve's --config), below the environment. */
  fromFile: (name: string) => string | undefined = () => undefined,
): RootKeySource | undefined {
  const naming = { env: opts.prefix ? 'COFFER_NEW_' : 'COFFER_', flag: `--${opts.prefix}` };
  const fromEnv = (name: string) => (env[`${naming.env}${name}`] === '' ? undefined : env[`${naming.env}${name}`]);
  const one = (name: string, envName: string) => flag(`${opts.prefix}${name}`) ?? fromEnv(envName) ?? fromFile(`${opts.prefix}${name}`);
  const path = (v: string | undefined) => (v === undefined ? undefined : resolve(v));

  const file = path(one('root-key-file', 'ROOT_KEY_FILE'));
  const key = fromEnv('ROOT_KEY');
  const passphrase = fromEnv('ROOT_KEY_PASSPHRASE');
  const passphraseFile = path(one('root-key-passphrase-file', 'ROOT_KEY_PASSPHRASE_FILE'));
  const kms = {
    keyId: one('root-key-kms-key-id', 'ROOT_KEY_KMS_KEY_ID'),
    endpoint: one('root-key-kms-endpoint', 'ROOT_KEY_KMS_ENDPOINT'),
    region: one('root-key-kms-region', 'ROOT_KEY_KMS_REGION'),
    profile: one('root-key-kms-profile', 'ROOT_KEY_KMS_PROFILE'),
    caBundle: path(one('root-key-kms-ca-bundle', 'ROOT_KEY_KMS_CA_BUNDLE')),
    accessKeyId: fromEnv('ROOT_KEY_KMS_ACCESS_KEY_ID'),
    secretAccessKey: fromEnv('ROOT_KEY_KMS_SECRET_ACCESS_KEY'),
    sessionToken: fromEnv('ROOT_KEY_KMS_SESSION_TOKEN'),
  };
  if (kms.endpoint !== undefined && !/^https?:\/\/[^/]/.test(kms.endpoint)) throw new UsageError(`${naming.flag}root-key-kms-endpoint must be an http(s) URL`);
  if ((kms.accessKeyId === undefined) !== (kms.secretAccessKey === undefined)) {
    throw new UsageError(`${naming.env}ROOT_KEY_KMS_ACCESS_KEY_ID and ${naming.env}ROOT_KEY_KMS_SECRET_ACCESS_KEY go together`);
  }

  const given: RootKeyProviderKind[] = [];
  if (file !== undefined || key !== undefined) given.push('file');
  if (passphrase !== undefined || passphraseFile !== undefined) given.push('passphrase');
  if (Object.values(kms).some((v) => v !== undefined)) given.push('kms');
  const explicit = one('root-key-provider', 'ROOT_KEY_PROVIDER');
  if (explicit !== undefined && !PROVIDERS.includes(explicit as RootKeyProviderKind)) {
    throw new UsageError(`${naming.flag}root-key-provider must be one of ${PROVIDERS.join(', ')}`);
  }
  const others = given.filter((g) => g !== (explicit ?? given[0]));
  if (others.length > 0) {
    throw new UsageError(`options of several root key providers are given (${[...new Set([explicit ?? given[0], ...others])].join(', ')}): give one provider's options${explicit ? '' : ` or choose with ${naming.flag}root-key-provider`}`);
  }
  const provider = (explicit ?? given[0] ?? 'file') as RootKeyProviderKind;
  if (opts.prefix && explicit === undefined && given.length === 0) return undefined;

  const defaultFile = opts.prefix ? undefined : join(opts.dataDir, 'root.key');
  if (provider === 'file' && opts.prefix && file === undefined && key === undefined) {
    throw new UsageError(`the new root key needs ${naming.flag}root-key-file FILE (created if it does not exist) or ${naming.env}ROOT_KEY`);
  }
  return {
    provider, naming,
    file: file ?? defaultFile,
    // serve creates only the default key file of a new database; a rotation creates the new key file it is given.
    mayCreateFile: opts.prefix ? true : (file ?? defaultFile) === defaultFile,
    key, passphrase, passphraseFile, kms,
  };
}
