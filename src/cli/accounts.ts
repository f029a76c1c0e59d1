/**
 * `coffer accounts create [--account-id ID] [--profile NAME]` with the same storage flags as
 * `serve`: adds an account to the server's database and prints its root credentials as a
 * credentials-file profile (to append to ~/.aws/credentials). Safe while the server runs:
 * the server looks up access keys it has not seen in the database.
 * (`coffer accounts root-password` is its own subcommand: root-password.ts.)
 */
import { mkdirSync } from 'node:fs';
import { parseServeArgs, UsageError } from '../config.ts';
import { openStore } from '../storage/database.ts';
import { openRootKey } from '../app.ts';
import { CredentialStore } from '../auth/credentials.ts';
import { createAccount, credentialsFileText } from '../accounts.ts';

export const ACCOUNTS_HELP = `usage: coffer accounts create [--account-id ID] [--profile NAME] [--data-dir DIR] [--database URL] [--root-key-file FILE] [--region REGION]
       coffer accounts root-password [--account-id ID] [--data-dir DIR] [--database URL]

create: adds an account (a random 12-digit id unless --account-id is given) with its own root
access key, and prints the key as a credentials-file profile (default name: account-<id>).

root-password: sets or resets the account root user's console password, read from the
terminal (or stdin), never from a flag; see coffer accounts root-password --help.
`;

export async function accounts(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(sub ? `unknown accounts command '${sub}'` : 'accounts needs a command: create or root-password');
  let profile: string | undefined;
  const serveArgs: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--profile' || arg.startsWith('--profile=')) {
      profile = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : rest[++i];
      if (!profile) throw new UsageError('--profile needs a value');
    } else {
      serveArgs.push(arg);
    }
  }
  // The account id flag names the new account here, not the server's default account.
  const config = parseServeArgs(serveArgs);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  try {
    const rootKey = await openRootKey(config, store);
    const created = await createAccount(store.db, new CredentialStore(store.db, rootKey), config.accountId);
    const region = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
    process.stdout.write(credentialsFileText(profile ?? `account-${created.accountId}`, created.accessKeyId, created.secretAccessKey, region));
  } finally {
    await store.close();
  }
}
