/**
 * Accounts and their root credentials. At first start the server picks (or is given) its
 * default account and gives its root user an access key: from COFFER_ROOT_ACCESS_KEY_ID /
 * COFFER_ROOT_SECRET_ACCESS_KEY when set, else a fresh pair written only to a 0600
 * credentials file.
 */
import { randomInt } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from './storage/schema.ts';
import { initMeta, readMeta } from './storage/meta.ts';
import { StartupError } from './config.ts';
import { CredentialStore, newAccessKeyId, newSecretAccessKey } from './auth/credentials.ts';

export interface AccountSetup {
  accountId: string;
  /** Where a generated root key pair was written, when one was. */
  credentialsFile?: string;
  /** The root access key id from the environment, when it was used. */
  envAccessKeyId?: string;
  /** Root keys generated before, whose credentials file is not in this node's data dir. */
  rootAccessKeyIds?: string[];
}

export function randomAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}

export async function ensureAccount(db: Kysely<Database>, accountId: string): Promise<void> {
  await db.insertInto('accounts').values({ account_id: accountId, created_at: Date.now() })
    .onConflict((oc) => oc.column('account_id').doNothing()).execute();
}

/**
 * The installation's default account: `--account-id` or a random id at the first start, then
 * fixed. A different `--account-id` later is refused rather than obeyed: the secrets, keys
 * and root credentials all belong to the stored account, and switching would orphan them.
 */
export async function defaultAccountId(db: Kysely<Database>, requested: string | undefined): Promise<string> {
  const stored = await readMeta(db, 'default_account_id') ?? await initMeta(db, 'default_account_id', requested ?? randomAccountId());
  if (requested && requested !== stored) {
    throw new StartupError(`--account-id ${requested} does not match this database's account id ${stored}; the account id is fixed at the first start (omit --account-id or pass ${stored})`);
  }
  return stored;
}

export function credentialsFileText(profile: string, accessKeyId: string, secret: string, region: string): string {
  return `[${profile}]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secret}\nregion = ${region}\n`;
}

export async function setUpRootCredentials(
  db: Kysely<Database>, credentials: CredentialStore,
  opts: { accountId: string; dataDir: string; region: string; envAccessKeyId?: string; envSecret?: string },
): Promise<AccountSetup> {
  await ensureAccount(db, opts.accountId);
  const existing = await credentials.rootKeyIds(opts.accountId);
  if (opts.envAccessKeyId && opts.envSecret) {
    if (!existing.includes(opts.envAccessKeyId)) {
      const owner = await credentials.resolve(opts.envAccessKeyId);
      if (owner) throw new StartupError(`COFFER_ROOT_ACCESS_KEY_ID ${opts.envAccessKeyId} already belongs to ${owner.principal.arn}`);
      try {
        await credentials.createRootKey(opts.accountId, opts.envAccessKeyId, opts.envSecret);
      } catch (err) {
        // Several nodes starting together on one database: one of them stored the key first.
        if (!(await credentials.rootKeyIds(opts.accountId)).includes(opts.envAccessKeyId)) throw err;
      }
    }
    const stored = await credentials.resolve(opts.envAccessKeyId);
    if (stored?.secret !== opts.envSecret) {
      throw new StartupError('COFFER_ROOT_SECRET_ACCESS_KEY does not match the stored secret of COFFER_ROOT_ACCESS_KEY_ID (root credentials are fixed at the first start)');
    }
    return { accountId: opts.accountId, envAccessKeyId: opts.envAccessKeyId };
  }
  const file = join(opts.dataDir, 'root-credentials');
  if (existing.length === 0) {
    const accessKeyId = newAccessKeyId();
    const secret = newSecretAccessKey();
    // The file first: a key whose secret was never written anywhere would be unusable.
    // A stale file (from a database since replaced) is removed, not rewritten: a rewrite
    // would keep the old file's mode, and this one must be 0600.
    rmSync(file, { force: true });
    writeFileSync(file, credentialsFileText('default', accessKeyId, secret, opts.region), { mode: 0o600, flag: 'wx' });
    await credentials.createRootKey(opts.accountId, accessKeyId, secret);
    return { accountId: opts.accountId, credentialsFile: file };
  }
  // The pair was generated earlier, maybe by another node sharing the database.
  return existsSync(file) ? { accountId: opts.accountId, credentialsFile: file } : { accountId: opts.accountId, rootAccessKeyIds: existing };
}

/**
 * Another account on this server, with its own root access key, for cross-account access
 * through resource policies and role assumption between accounts of one server. Returns the
 * new pair; the caller shows it to the operator (it is stored only sealed).
 */
export async function createAccount(
  db: Kysely<Database>, credentials: CredentialStore, requested: string | undefined,
): Promise<{ accountId: string; accessKeyId: string; secretAccessKey: string }> {
  const accountId = requested ?? randomAccountId();
  const taken = await db.selectFrom('accounts').select('account_id').where('account_id', '=', accountId).executeTakeFirst();
  if (taken) throw new StartupError(`account ${accountId} already exists on this server`);
  await ensureAccount(db, accountId);
  const accessKeyId = newAccessKeyId();
  const secretAccessKey = newSecretAccessKey();
  await credentials.createRootKey(accountId, accessKeyId, secretAccessKey);
  return { accountId, accessKeyId, secretAccessKey };
}
