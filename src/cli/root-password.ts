/**
 * `coffer accounts root-password [--account-id ID]` with the same storage flags as `serve`:
 * sets (or resets) the account root user's console password, which the console's sign-in page
 * then takes ("Root user"). AWS sets it at sign-up and resets it by e-mail; coffer's operator,
 * who holds the database, does it here. The password is read from the terminal without echo
 * (asked twice), or as the first line of stdin when stdin is not a terminal — never from a flag,
 * which would leave it in shell history and process listings. Only its argon2id hash is stored.
 * Safe while the server runs: sign-in reads the hash from the database each time.
 */
import { mkdirSync } from 'node:fs';
import { parseServeArgs, StartupError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { readMeta } from '../storage/meta.ts';
import { isAcceptableRootPassword, ROOT_PASSWORD_RULE, setRootPassword } from '../services/iam/root-password.ts';

export const ROOT_PASSWORD_HELP = `usage: coffer accounts root-password [--account-id ID] [--data-dir DIR] [--database URL]

Sets or resets the console password of an account's root user (default: the server's own
account). The console's sign-in page then takes it under "Root user", with the account ID
or its alias; root console sessions last one hour.

The password is asked twice on the terminal, without echo; when stdin is not a terminal its
first line is the password (printf '%s\\n' "$PW" | coffer accounts root-password). It is never
a flag. It must be 8 to 128 characters with at least three of: uppercase letters, lowercase
letters, digits, symbols (AWS's rule for root passwords; the account password policy does not
apply to the root user). Only an argon2id hash is stored. Safe while servers run.
`;

/** Reads one line from a terminal without echoing it; Ctrl-C ends the command. */
function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt shows, so nothing typed after it is ever echoed.
  stdin.setRawMode(true);
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let typed = '';
    const done = (value: string | undefined) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (value === undefined) process.exit(130);
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(typed);
        if (ch === '\u0003' || ch === '\u0004') return done(undefined);
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else if (ch >= ' ') typed += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** The first line of stdin (a pipe or a file). */
async function readFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

async function readNewPassword(accountId: string): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await readHidden(`New root password for account ${accountId}: `);
  if (!isAcceptableRootPassword(first)) throw new StartupError(ROOT_PASSWORD_RULE);
  const again = await readHidden('Type it again: ');
  if (again !== first) throw new StartupError('the two passwords differ; nothing was changed');
  return first;
}

export async function rootPassword(args: string[]): Promise<void> {
  const config = parseServeArgs(args);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  try {
    const accountId = config.accountId ?? await readMeta(store.db, 'default_account_id');
    if (!accountId) throw new StartupError(`no coffer server has started on ${config.databaseUrl} yet: start it once (coffer serve), then set the root password`);
    const known = await store.db.selectFrom('accounts').select('account_id').where('account_id', '=', accountId).executeTakeFirst();
    if (!known) throw new StartupError(`account ${accountId} is not on this server (coffer accounts create adds one)`);
    const password = await readNewPassword(accountId);
    if (password === '') throw new StartupError('no password was given (stdin was empty); nothing was changed');
    if (!isAcceptableRootPassword(password)) throw new StartupError(ROOT_PASSWORD_RULE);
    const outcome = await setRootPassword(store.db, accountId, password, Date.now());
    process.stdout.write(`root password ${outcome === 'set' ? 'set' : 'replaced'} for account ${accountId}; sign in to the console as "Root user"\n`);
  } finally {
    await store.close();
  }
}
