/**
 * Accounts and their root credentials. At first start the server picks (or is given) its
 * default account and gives its root user an access key: from COFFER_ROOT_ACCESS_KEY_ID /
 * COFFER_ROOT_SECRET_ACCESS_KEY when set, else a fresh pair written only to a 0600
 * credentials file.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from './storage/schema.ts';
import { CredentialStore, newAccessKeyId, newSecretAccessKey } from './auth/credentials.ts';

export interface AccountSetup {
  accountId: string;
  /** Where a generated root key pair was written, when one was. */
  credentialsFile?: string;
  /** The root access key id from the environment, when it was used. */
  envAccessKeyId?: string;
}

function randomAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}

export async function ensureAccount(db: Kysely<Database>, accountId: string): Promise<void> {
  await db.insertInto('accounts').values({ account_id: accountId, created_at: Date.now() })
    .onConflict((oc) => oc.column('account_id').doNothing()).execute();
}

export async function defaultAccountId(db: Kysely<Database>, requested: string | undefined): Promise<string> {
  const stored = await db.selectFrom('meta').select('value').where('key', '=', 'default_account_id').executeTakeFirst();
  if (stored && (!requested || requested === stored.value)) return stored.value;
  const accountId = requested ?? randomAccountId();
  await db.insertInto('meta').values({ key: 'default_account_id', value: accountId })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: accountId })).execute();
  return accountId;
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
      if (owner) throw new Error(`COFFER_ROOT_ACCESS_KEY_ID ${opts.envAccessKeyId} already belongs to ${owner.principal.arn}`);
      await credentials.createRootKey(opts.accountId, opts.envAccessKeyId, opts.envSecret);
    } else {
      const stored = await credentials.resolve(opts.envAccessKeyId);
      if (stored?.secret !== opts.envSecret) throw new Error('COFFER_ROOT_SECRET_ACCESS_KEY does not match the stored secret of COFFER_ROOT_ACCESS_KEY_ID');
    }
    return { accountId: opts.accountId, envAccessKeyId: opts.envAccessKeyId };
  }
  const file = join(opts.dataDir, 'root-credentials');
  if (existing.length === 0) {
    const accessKeyId = newAccessKeyId();
    const secret = newSecretAccessKey();
    await credentials.createRootKey(opts.accountId, accessKeyId, secret);
    writeFileSync(file, credentialsFileText('default', accessKeyId, secret, opts.region), { mode: 0o600 });
  }
  return { accountId: opts.accountId, credentialsFile: file };
}
