/**
 * `coffer rotation status SECRET [--account ID] [--region R] [--limit N] [--json]` with the
 * storage flags of `serve`: the last rotation attempts of a secret, each step's outcome and
 * duration, and what the function said (its error and log tail, unsealed here with the root
 * key: this is the operator's view, which AWS hides). Safe while the server runs.
 */
import { parseServeArgs, StartupError, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { readMeta } from '../storage/meta.ts';
import { SecretRepository, type SecretRow } from '../storage/secret-repository.ts';
import { AttemptStore, type Attempt } from '../services/secretsmanager/rotation/attempts.ts';

export const ROTATION_HELP = `usage: coffer rotation status SECRET [--account ID] [--region REGION] [--limit N] [--json]
                               [--data-dir DIR] [--database URL] [--root-key-file FILE] ...

Shows the last rotation attempts of SECRET (a name or an ARN): what started each one, its
ClientRequestToken, each step's outcome and duration, and the function's error and log tail.
--account and --region pick the secret by name (default: the server's default account and
first region); --limit (default 5) how many attempts; --json prints them as JSON.
`;

export interface SecretRotationStatus {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  lastRotatedDate?: string;
  nextRotationDate?: string;
  /** When the scheduler next starts (or retries) the rotation. */
  dueAt?: string;
  attempts: Attempt[];
}

export async function rotation(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'status') throw new UsageError(sub ? `unknown rotation command '${sub}'` : 'rotation needs a command: status');
  let secretId: string | undefined;
  let account: string | undefined;
  let limit = 5;
  let json = false;
  const serveArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[++i];
      if (!v) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--account' || arg.startsWith('--account=')) account = value();
    else if (arg === '--limit' || arg.startsWith('--limit=')) limit = Number(value());
    else if (arg === '--json') json = true;
    else if (!arg.startsWith('--') && secretId === undefined) secretId = arg;
    else serveArgs.push(arg);
  }
  if (!secretId) throw new UsageError('rotation status needs a secret name or ARN');
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit needs a positive whole number');
  const config = parseServeArgs(serveArgs);
  const store = await openStore(config.databaseUrl);
  try {
    const rootKey = await openRootKey(config, store);
    const repo = new SecretRepository(store.db, store.dialect, { readCache: false });
    const region = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
    const accountId = account ?? await readMeta(store.db, 'default_account_id');
    const secret = secretId.startsWith('arn:')
      ? await repo.byArn(secretId)
      : accountId ? await repo.byName(accountId, region, secretId) : undefined;
    if (!secret) throw new StartupError(`no secret ${secretId} in account ${accountId ?? '(none)'}, region ${region}`);
    const status = statusOf(secret, await new AttemptStore(store.db, rootKey).last(secret.id, limit, true));
    process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  } finally {
    await store.close();
  }
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(Number(ms)).toISOString());

export function statusOf(secret: SecretRow, attempts: Attempt[]): SecretRotationStatus {
  return {
    arn: secret.arn,
    name: secret.name,
    rotationEnabled: secret.rotation_enabled === 1,
    rotationLambdaArn: secret.rotation_lambda_arn ?? undefined,
    lastRotatedDate: iso(secret.last_rotated_at),
    nextRotationDate: secret.rotation_enabled === 1 ? iso(secret.next_rotation_at) : undefined,
    dueAt: secret.rotation_enabled === 1 ? iso(secret.rotation_due_at) : undefined,
    attempts,
  };
}

export function formatStatus(s: SecretRotationStatus): string {
  const lines = [
    `secret:        ${s.arn}`,
    `rotation:      ${s.rotationEnabled ? 'enabled' : 'disabled'}${s.rotationLambdaArn ? ` (${s.rotationLambdaArn})` : ''}`,
    `last rotated:  ${s.lastRotatedDate ?? 'never'}`,
  ];
  if (s.nextRotationDate) lines.push(`next rotation: on or before ${s.nextRotationDate}${s.dueAt ? ` (scheduled for ${s.dueAt})` : ''}`);
  if (s.attempts.length === 0) lines.push('', 'no rotation attempts');
  for (const a of s.attempts) {
    const took = a.finishedAt === undefined ? '' : ` in ${((a.finishedAt - a.startedAt) / 1000).toFixed(1)} s`;
    lines.push('', `${new Date(a.startedAt).toISOString()}  ${a.outcome.toUpperCase()}${took}  ${a.kind === 'test' ? 'test (RotateImmediately=false)' : 'rotation'} by ${a.trigger}, token ${a.token}`);
    for (const step of a.steps) {
      lines.push(`  ${step.step.padEnd(13)} ${step.outcome.padEnd(9)} ${String(step.durationMs).padStart(6)} ms${step.errorCode ? `  ${step.errorCode}` : ''}`);
      const said = a.details?.[step.step];
      if (said?.errorType || said?.errorMessage) lines.push(`    error: ${[said.errorType, said.errorMessage].filter(Boolean).join(': ')}`);
      if (said?.logTail) {
        lines.push('    log tail:');
        for (const l of said.logTail.replace(/\n$/, '').split('\n')) lines.push(`      | ${l}`);
      }
    }
    if (a.error) lines.push(`  why: ${a.error}`);
  }
  return `${lines.join('\n')}\n`;
}
