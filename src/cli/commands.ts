/**
 * Every `coffer` command, with its one-line summary for `coffer --help` and its own help, which
 * lives in the command's file (`SERVE_HELP` in serve.ts, `AUDIT_HELP` in audit.ts …). A command
 * added here gets `coffer NAME --help` and a place in `coffer --help`; test/cli-help.test.ts
 * checks that every one has help.
 */
import { serve, SERVE_HELP } from './serve.ts';
import { credentials, CREDENTIALS_HELP } from './credentials.ts';
import { accounts, ACCOUNTS_HELP } from './accounts.ts';
import { rootPassword, ROOT_PASSWORD_HELP } from './root-password.ts';
import { explain, EXPLAIN_HELP } from './explain.ts';
import { rootKey, ROOT_KEY_HELP } from './root-key.ts';
import { rotation, ROTATION_HELP } from './rotation.ts';
import { logs, LOGS_HELP } from './logs.ts';
import { audit, AUDIT_HELP } from './audit.ts';
import { backup, BACKUP_HELP, restore, RESTORE_HELP } from './backup.ts';

export interface Command {
  name: string;
  /** One line (wrapped by hand if longer) in `coffer --help`. */
  summary: string;
  /** `coffer NAME --help`; a function when the text lives in a module loaded only on use. */
  help: string | (() => Promise<string>);
  run(args: string[]): Promise<void> | void;
  /** Subcommands with help of their own (`coffer rotation setup --help`). */
  subcommands?: Command[];
}

export const COMMANDS: readonly Command[] = [
  { name: 'serve', summary: 'run the server (see coffer serve --help for every option)', help: SERVE_HELP, run: serve },
  { name: 'credentials', summary: 'print export lines for the root credentials in the data dir', help: CREDENTIALS_HELP, run: credentials },
  {
    name: 'accounts', help: ACCOUNTS_HELP, run: accounts,
    summary: 'coffer accounts create: add an account with its own root credentials;\n'
      + 'coffer accounts root-password: set the root user\'s console password',
    subcommands: [{ name: 'root-password', summary: 'set or reset the root user\'s console password', help: ROOT_PASSWORD_HELP, run: rootPassword }],
  },
  {
    name: 'explain', help: EXPLAIN_HELP, run: explain,
    summary: 'coffer explain --principal ARN --action ACTION --resource ARN: why a principal may or may not do something',
  },
  {
    name: 'root-key', help: ROOT_KEY_HELP, run: rootKey,
    summary: 'coffer root-key rotate: re-seal everything under a new root key while servers run; coffer root-key status',
  },
  {
    name: 'rotation', help: ROTATION_HELP, run: rotation,
    summary: 'coffer rotation status SECRET: a secret\'s last rotation attempts, step by step;\n'
      + 'coffer rotation setup --secret-id ID --template NAME: turn rotation on for a database secret',
    subcommands: [{
      name: 'setup',
      summary: 'turn rotation on for a database secret as the console does',
      // Loaded on use: it pulls in the SDK clients and the template bundler (esbuild).
      help: async () => (await import('./rotation-setup.ts')).ROTATION_SETUP_HELP,
      run: async (args) => (await import('./rotation-setup.ts')).rotationSetup(args),
    }],
  },
  { name: 'logs', summary: 'coffer logs FUNCTION [--tail N]: a Lambda function\'s logs, START to REPORT per invocation', help: LOGS_HELP, run: logs },
  { name: 'audit', summary: 'coffer audit verify: check the audit trail\'s hash chains and signed digests', help: AUDIT_HELP, run: audit },
  { name: 'backup', summary: 'coffer backup --out FILE: an encrypted, consistent copy of the database while servers run', help: BACKUP_HELP, run: backup },
  { name: 'restore', summary: 'coffer restore FILE: a backup onto an empty data dir or database (needs the root key)', help: RESTORE_HELP, run: restore },
];

/** `coffer --help`: the commands, then serve's options (the command most people start with). */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary.replaceAll('\n', `\n  ${' '.repeat(width)}`)}`);
  return `usage: coffer <command> [options]
       coffer <command> --help

commands:
${lines.join('\n')}

${SERVE_HELP.replace(/^usage: coffer serve[^\n]*\n\n[\s\S]*?\n\n/, 'coffer serve options (each also an environment variable and a --config file key):\n\n')}`;
}

/** The command `argv` names and the arguments left for it, descending into a subcommand. */
export function findCommand(argv: readonly string[]): { command: Command; args: string[] } | undefined {
  const [name, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return undefined;
  const sub = command.subcommands?.find((s) => s.name === rest[0]);
  return sub ? { command: sub, args: rest.slice(1) } : { command, args: rest };
}

export async function helpOf(command: Command): Promise<string> {
  return typeof command.help === 'string' ? command.help : command.help();
}
