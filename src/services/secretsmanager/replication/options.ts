/**
 * `coffer serve` options for replication to other regions (docs/replication.md):
 *
 * - `--peer-region REGION=ENDPOINT` (repeatable; COFFER_PEER_REGIONS, comma-separated): a
 *   region served by another coffer deployment, and where it listens.
 * - `--peer-credentials-file FILE` (COFFER_PEER_CREDENTIALS_FILE): an AWS credentials file; the
 *   profile named after the peer's region, else `[default]`, signs the calls to that peer.
 *   Or COFFER_PEER_ACCESS_KEY_ID / COFFER_PEER_SECRET_ACCESS_KEY for every peer. Never a flag.
 * - `--replication-trust PRINCIPAL_ARN` (repeatable; COFFER_REPLICATION_TRUST, comma-separated):
 *   on the deployment that holds replicas, the principals whose signed calls may write them.
 * - `--peer-ca FILE` (COFFER_PEER_CA): PEM CA certificates trusted, besides the system's, for
 *   `https://` peers (a peer with `--tls self-signed` or a private CA).
 * - `--replication-interval-ms N` (COFFER_REPLICATION_INTERVAL_MS): how often the worker looks
 *   for replicas behind their primary (default 1000).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../../config.ts';

export const REPLICATION_FLAGS = ['peer-region', 'peer-credentials-file', 'peer-ca', 'replication-trust', 'replication-interval-ms'];

export interface PeerCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface PeerRegion {
  region: string;
  /** `http(s)://host:port` of the peer deployment. */
  endpoint: string;
  /** Absent: the peer is declared but nothing was given to sign with (replication to it fails, saying so). */
  credentials?: PeerCredentials;
  /** `--peer-ca`: PEM CA certificates to trust for an https:// peer, with the system's; undefined: the system's only. */
  ca?: string;
}

export interface ReplicationOptions {
  peers: Map<string, PeerRegion>;
  /** Principal ARNs allowed to write replicas into this deployment. */
  trust: string[];
  intervalMs: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function parseReplicationOptions(
  one: (name: string, envName: string) => string | undefined,
  many: (name: string, envName: string) => string[],
  env: NodeJS.ProcessEnv,
): ReplicationOptions {
  const file = one('peer-credentials-file', 'COFFER_PEER_CREDENTIALS_FILE');
  const profiles = file === undefined ? new Map<string, Record<string, string>>() : readCredentialsFile(resolve(file));
  const envKey = env.COFFER_PEER_ACCESS_KEY_ID, envSecret = env.COFFER_PEER_SECRET_ACCESS_KEY;
  if ((envKey === undefined) !== (envSecret === undefined)) {
    throw new UsageError('COFFER_PEER_ACCESS_KEY_ID and COFFER_PEER_SECRET_ACCESS_KEY go together');
  }
  const caFile = one('peer-ca', 'COFFER_PEER_CA');
  const ca = caFile === undefined ? undefined : readCaFile(resolve(caFile));
  const peers = new Map<string, PeerRegion>();
  for (const spec of many('peer-region', 'COFFER_PEER_REGIONS').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '')) {
    const eq = spec.indexOf('=');
    const region = eq > 0 ? spec.slice(0, eq) : '';
    const endpoint = eq > 0 ? spec.slice(eq + 1).replace(/\/+$/, '') : '';
    if (!REGION.test(region) || !/^https?:\/\/[^/]+$/.test(endpoint)) {
      throw new UsageError(`--peer-region must be REGION=http(s)://HOST:PORT, got '${spec}'`);
    }
    const profile = profiles.get(region) ?? profiles.get('default');
    let credentials: PeerCredentials | undefined;
    if (profile?.aws_access_key_id && profile.aws_secret_access_key) {
      credentials = { accessKeyId: profile.aws_access_key_id, secretAccessKey: profile.aws_secret_access_key, sessionToken: profile.aws_session_token };
    } else if (envKey !== undefined && envSecret !== undefined) {
      credentials = { accessKeyId: envKey, secretAccessKey: envSecret, sessionToken: env.COFFER_PEER_SESSION_TOKEN };
    }
    peers.set(region, { region, endpoint, credentials, ...(ca === undefined ? {} : { ca }) });
  }
  const trust = many('replication-trust', 'COFFER_REPLICATION_TRUST').flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  for (const arn of trust) {
    if (!/^arn:aws:(iam|sts)::\d{12}:/.test(arn)) throw new UsageError(`--replication-trust must be an IAM principal ARN, got '${arn}'`);
  }
  const rawInterval = one('replication-interval-ms', 'COFFER_REPLICATION_INTERVAL_MS');
  const intervalMs = rawInterval === undefined ? 1000 : Number(rawInterval);
  if (!Number.isInteger(intervalMs) || intervalMs < 10) throw new UsageError(`--replication-interval-ms must be an integer of at least 10, got '${rawInterval}'`);
  return { peers, trust, intervalMs };
}

/** Read at start, so a wrong path stops it rather than failing every push. */
function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --peer-ca ${path}: ${(err as Error).message}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--peer-ca ${path} holds no PEM certificate`);
  return text;
}

/** The AWS credentials-file format: `[profile]` sections of `key = value` lines. */
function readCredentialsFile(path: string): Map<string, Record<string, string>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --peer-credentials-file ${path}: ${(err as Error).message}`);
  }
  const out = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]\s]+)\s*\]$/.exec(line);
    if (section) {
      out.set(section[1]!, (current = {}));
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
