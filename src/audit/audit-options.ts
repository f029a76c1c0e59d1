/** `coffer serve`'s audit options: `--audit-file PATH` and `--audit-digest-interval SECONDS`. */
import { resolve } from 'node:path';
import { UsageError } from '../config.ts';

export interface AuditOptions {
  /** Also stream every event as a JSON line to this file (mode 0600). */
  file?: string;
  /** How often each node signs its chain's head (ms). */
  digestIntervalMs: number;
}

export const AUDIT_FLAGS = ['audit-file', 'audit-digest-interval'];

export function parseAuditOptions(one: (name: string, envName: string) => string | undefined): AuditOptions {
  const file = one('audit-file', 'COFFER_AUDIT_FILE');
  const interval = Number(one('audit-digest-interval', 'COFFER_AUDIT_DIGEST_INTERVAL') ?? 60);
  if (!Number.isFinite(interval) || interval <= 0) throw new UsageError('--audit-digest-interval must be a positive number of seconds');
  return { ...(file ? { file: resolve(file) } : {}), digestIntervalMs: Math.round(interval * 1000) };
}
