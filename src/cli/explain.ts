/**
 * `coffer explain --principal ARN --action ACTION --resource ARN [--context key=value ...]`
 * with the same storage flags as `serve`: loads the principal's policies through the policy
 * source the authorizer uses (and, for a secret ARN, the secret's resource policy), decides
 * with the engine, and prints the decision, the statements that allowed or denied (policy,
 * Sid, position, statement JSON) and the conditions that failed. Policies are stored in
 * plaintext, so the root key is not needed (nor opened).
 */
import { parseServeArgs, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { AwsError } from '../errors.ts';
import { invalidInput } from '../services/iam/entities.ts';
import { loadSimulationPrincipal } from '../services/iam/simulation-source.ts';
import { simPolicy, simulate, type SimulationOutcome } from '../services/iam/simulation.ts';

export const EXPLAIN_HELP = `usage: coffer explain --principal ARN --action ACTION --resource ARN [--context KEY=VALUE ...] [--data-dir DIR] [--database URL]

Decides whether PRINCIPAL (an IAM user, group, role or assumed-role session ARN) may perform
ACTION on RESOURCE with its stored policies (and the secret's resource policy), and prints the
decision, the exact statements that allowed or denied, and the conditions that failed.
--context may be repeated; repeating a key makes it multivalued.
`;

export interface ExplainArgs { principal: string; action: string; resource: string; context: Record<string, string | string[]>; serveArgs: string[] }

export function parseExplainArgs(args: string[]): ExplainArgs {
  const own: Record<string, string | undefined> = {};
  const context: Record<string, string | string[]> = {};
  const serveArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? (eq > 0 ? arg.slice(2, eq) : arg.slice(2)) : '';
    if (['principal', 'action', 'resource', 'context'].includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (name === 'context') {
        const sep = value.indexOf('=');
        if (sep <= 0) throw new UsageError('--context needs KEY=VALUE');
        const key = value.slice(0, sep);
        const v = value.slice(sep + 1);
        const prev = context[key];
        context[key] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
      } else {
        own[name] = value;
      }
    } else {
      serveArgs.push(arg);
    }
  }
  for (const name of ['principal', 'action', 'resource']) if (!own[name]) throw new UsageError(`explain needs --${name}`);
  return { principal: own.principal!, action: own.action!, resource: own.resource!, context, serveArgs };
}

export function formatExplanation(o: SimulationOutcome, principalArn: string): string {
  const lines = [
    `principal: ${principalArn}`,
    `action:    ${o.action}`,
    `resource:  ${o.resource}`,
    `decision:  ${o.decision} (${o.result.reason}${o.result.deniedBy ? `; ${o.result.deniedBy} policy` : ''})`,
  ];
  if (o.allowedByBoundary !== undefined) lines.push(`permissions boundary allows: ${o.allowedByBoundary}`);
  if (o.matched.length === 0) lines.push('', 'no statement matched');
  for (const m of o.matched) {
    lines.push(
      '',
      `${m.statement.effect} by ${m.statement.policyType} policy ${m.policy.id} (${m.policy.sourceType}${m.policy.arn ? ` ${m.policy.arn}` : ''}), statement ${m.statement.index}${m.statement.sid ? ` Sid "${m.statement.sid}"` : ''}, line ${m.start.Line} column ${m.start.Column} to line ${m.end.Line} column ${m.end.Column}:`,
      // The statement exactly as written, as the simulator API's StatementText carries it.
      ...m.text.split('\n').map((l) => `  ${l}`),
    );
  }
  if (o.failedConditions.length > 0) {
    lines.push('', 'conditions that failed (in statements matching the action and resource):');
    for (const f of o.failedConditions) lines.push(`  ${f.policy.id} statement ${f.statementIndex}: ${f.operator} on ${f.key}`);
  }
  if (o.missingContextValues.length > 0) lines.push('', `missing context values: ${o.missingContextValues.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export async function explain(args: string[]): Promise<void> {
  const parsed = parseExplainArgs(args);
  const config = parseServeArgs(parsed.serveArgs);
  const store = await openStore(config.databaseUrl);
  try {
    const loaded = await loadSimulationPrincipal(store.db, parsed.principal, invalidInput);
    const secret = await store.db.selectFrom('secrets').select('resource_policy').where('arn', '=', parsed.resource).executeTakeFirst();
    const outcome = simulate({
      principal: loaded.principal,
      identity: loaded.identity,
      boundary: loaded.boundary,
      resourcePolicy: secret?.resource_policy ? simPolicy('resource policy', 'resource', secret.resource_policy, 'resource') : undefined,
      context: parsed.context,
    }, parsed.action, parsed.resource);
    process.stdout.write(formatExplanation(outcome, loaded.principal.arn));
  } catch (err) {
    if (err instanceof AwsError) {
      process.stderr.write(`coffer explain: ${err.code}: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await store.close();
  }
}
