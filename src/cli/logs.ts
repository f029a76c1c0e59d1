/**
 * `coffer logs FUNCTION [--account ID] [--region R] [--tail N]` with the storage flags of
 * `serve`: prints a Lambda function's logs as the process runtime kept them (START, what the
 * function printed, END, REPORT per invocation, oldest first), unsealed here with the root
 * key. Safe while the server runs. The console reads the same through `readFunctionLogs`.
 */
import { parseServeArgs, StartupError, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { readMeta } from '../storage/meta.ts';
import { readFunctionLogs } from '../services/lambda/runtime/function-logs.ts';

export const LOGS_HELP = `usage: coffer logs FUNCTION [--account ID] [--region REGION] [--tail N]
                  [--data-dir DIR] [--database URL] [--root-key-file FILE] ...

Prints the logs of FUNCTION (a name or an ARN) that the server kept: for each of its last
invocations, Lambda's START line, what the function printed on stdout and stderr, END and
REPORT. --account and --region pick the function by name (default: the server's default
account and first region); --tail N prints only the last N lines.
`;

const FUNCTION_ARN = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::[^:]+)?$/;

export interface LogsArgs {
  functionId: string;
  account?: string;
  tail?: number;
  serveArgs: string[];
}

export function parseLogsArgs(args: string[]): LogsArgs {
  let functionId: string | undefined;
  let account: string | undefined;
  let tail: number | undefined;
  const serveArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (!v) throw new UsageError(`${arg.split('=')[0]} needs a value`);
      return v;
    };
    if (arg === '--account' || arg.startsWith('--account=')) account = value();
    else if (arg === '--tail' || arg.startsWith('--tail=')) tail = Number(value());
    else if (!arg.startsWith('--') && functionId === undefined) functionId = arg;
    else serveArgs.push(arg);
  }
  if (!functionId) throw new UsageError('logs needs a function name or ARN');
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 1)) throw new UsageError('--tail needs a positive whole number');
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError('--account must be 12 digits');
  return { functionId, account, tail, serveArgs };
}

/** The last `n` lines of `text` (a trailing newline does not count as a line). */
export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return `${lines.slice(-n).join('\n')}\n`;
}

export async function logs(args: string[]): Promise<void> {
  const parsed = parseLogsArgs(args);
  const config = parseServeArgs(parsed.serveArgs);
  const store = await openStore(config.databaseUrl);
  try {
    const rootKey = await openRootKey(config, store);
    let functionArn: string;
    const arn = FUNCTION_ARN.exec(parsed.functionId);
    if (arn) {
      // Logs belong to the function, whichever version or alias was named.
      functionArn = `arn:aws:lambda:${arn[1]}:${arn[2]}:function:${arn[3]}`;
    } else {
      const account = parsed.account ?? await readMeta(store.db, 'default_account_id');
      if (!account) throw new StartupError('this database has no default account yet; pass --account');
      const region = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
      functionArn = `arn:aws:lambda:${region}:${account}:function:${parsed.functionId}`;
    }
    const kept = await readFunctionLogs(store.db, rootKey, functionArn);
    if (kept.length === 0) {
      process.stderr.write(`coffer: no logs kept for ${functionArn}\n`);
      return;
    }
    const text = kept.map((l) => l.text).join('');
    process.stdout.write(parsed.tail ? lastLines(text, parsed.tail) : text);
  } finally {
    await store.close();
  }
}
