/**
 * Access keys: looked up by key id on every request, so resolved keys are cached in memory.
 * A key's secret is stored sealed under the root key and bound to its key id. The cache is
 * dropped for a key whenever this node changes it; nodes sharing a database invalidate
 * through it (see the scale-out issue).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { open, seal } from '../crypto/aead.ts';
import { forgetSigningKeys } from './sigv4.ts';
import { rootPrincipal, type Principal } from './principal.ts';

export interface ResolvedKey {
  principal: Principal;
  secret: string;
  status: 'Active' | 'Inactive';
}

const secretAad = (accessKeyId: string) => `access-key:${accessKeyId}`;

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKIA` + 16 characters, as AWS's long-term key ids look. */
export function newAccessKeyId(prefix = 'AKIA'): string {
  const bytes = randomBytes(16);
  let id = prefix;
  for (const b of bytes) id += KEY_ID_ALPHABET[b % 32];
  return id;
}

/** 40 characters of base64 alphabet, as AWS's secret access keys look. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

export class CredentialStore {
  private readonly cache = new Map<string, ResolvedKey>();

  constructor(private readonly db: Kysely<Database>, private readonly rootKey: Buffer) {}

  async resolve(accessKeyId: string): Promise<ResolvedKey | undefined> {
    const hit = this.cache.get(accessKeyId);
    if (hit) return hit;
    const row = await this.db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    if (!row) return undefined;
    const secret = open(this.rootKey, Buffer.from(row.secret_sealed), secretAad(accessKeyId)).toString('utf8');
    const principal: Principal = row.principal_type === 'Root'
      ? rootPrincipal(row.account_id, accessKeyId)
      : { type: row.principal_type as Principal['type'], arn: row.principal_arn, accountId: row.account_id, userId: row.principal_arn, userName: row.user_name ?? undefined, accessKeyId };
    const resolved: ResolvedKey = { principal, secret, status: row.status as ResolvedKey['status'] };
    this.cache.set(accessKeyId, resolved);
    return resolved;
  }

  invalidate(accessKeyId: string): void {
    this.cache.delete(accessKeyId);
    forgetSigningKeys(accessKeyId);
  }

  async createRootKey(accountId: string, accessKeyId: string, secret: string): Promise<void> {
    await this.db.insertInto('access_keys').values({
      access_key_id: accessKeyId, account_id: accountId, principal_type: 'Root',
      principal_arn: `arn:aws:iam::${accountId}:root`, user_name: null,
      secret_sealed: seal(this.rootKey, Buffer.from(secret, 'utf8'), secretAad(accessKeyId)),
      status: 'Active', created_at: Date.now(), last_used_at: null, last_used_service: null, last_used_region: null,
    }).execute();
  }

  async rootKeyIds(accountId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('access_keys').select('access_key_id')
      .where('account_id', '=', accountId).where('principal_type', '=', 'Root').execute();
    return rows.map((r) => r.access_key_id);
  }
}
