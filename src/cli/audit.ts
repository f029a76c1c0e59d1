/**
 * `coffer audit verify [--json]` with the storage flags of `serve`: checks the audit trail's
 * hash chains and signed digests and lists every changed, removed or reordered event. Exit 0
 * when the trail is intact, 1 when anything is wrong. Safe while servers run (it reads only).
 */
import { parseServeArgs, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { AuditStore } from '../audit/audit-store.ts';
import { verifyTrail, type VerifyReport } from '../audit/verify.ts';

export const AUDIT_HELP = `usage: coffer audit verify [--json] [--data-dir DIR] [--database URL] [--root-key-file FILE] ...

Checks the audit trail: every event's hash and its link to the event before it, and every
signed digest (signed with a key derived from the root key). Lists each event that was
changed, removed or reordered and each digest that was removed or forged; exits 1 if there
is any. --json prints the report as JSON. Takes the storage and root key options of serve.
`;

export async function audit(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError(sub ? `unknown audit command '${sub}'` : 'audit needs a command: verify');
  const json = rest.includes('--json');
  const config = parseServeArgs(rest.filter((a) => a !== '--json'));
  const store = await openStore(config.databaseUrl);
  let report: VerifyReport;
  try {
    const rootKey = await openRootKey(config, store);
    report = await verifyTrail(new AuditStore(store.db, store.dialect), rootKey);
  } finally {
    await store.close();
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  if (report.problems.length > 0) process.exitCode = 1;
}

export function formatReport(r: VerifyReport): string {
  const lines = [`audit trail: ${r.events} events in ${r.chains} chain${r.chains === 1 ? '' : 's'}, ${r.digests} digest${r.digests === 1 ? '' : 's'}`];
  for (const p of r.problems) lines.push(`  ${p.kind.toUpperCase().padEnd(9)} ${p.message}`);
  for (const n of r.notes) lines.push(`  note      ${n}`);
  lines.push(r.problems.length === 0 ? 'OK: no event changed, removed or reordered' : `FAILED: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
