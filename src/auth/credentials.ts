/**
 * Access keys: looked up by key id on every request, so resolved keys are cached in memory.
 * A key's secret is stored sealed under the root key and bound to its key id. The cache is
 * dropped for a key whenever this node changes it, and the other nodes are told
 * (`CacheSync`, src/cluster/).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { RootKeySealer } from '../crypto/root-key-ring.ts';
import { forgetSigningKeys } from './sigv4.ts';
import { rootPrincipal, type Principal } from './principal.ts';
import { SessionStore, type SessionFacts } from './sessions.ts';
import { LOCAL_ONLY, type CacheSync } from '../cluster/cache-sync.ts';

export interface ResolvedKey {
  principal: Principal;
  secret: string;
  status: 'Active' | 'Inactive';
  /** Temporary credentials (`ASIA…`): the session token and expiry `authenticate` checks. */
  session?: SessionFacts;
}

const secretAad = (accessKeyId: string) => `access-key:${accessKeyId}`;

/** GetAccessKeyLastUsed's resolution: AWS itself reports last use to the minute or coarser. */
const LAST_USED_GRANULARITY_MS = 60_000;

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
  /** Bumped by every drop: a lookup that began before it is not kept. */
  private generation = 0;
  /** When this node last wrote each key's last-used columns. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(private readonly db: Kysely<Database>, private readonly rootKey: RootKeySealer, private readonly sync: CacheSync = LOCAL_ONLY) {}

  private sessionStore?: SessionStore;

  /** Temporary credentials issued by STS; their `ASIA…` key ids resolve through it. */
  get sessions(): SessionStore {
    return this.sessionStore ??= new SessionStore(this.db, this.rootKey, this.sync);
  }

  /**
   * Revokes temporary credentials (a console sign-out): the session's row goes, and this node
   * and the others forget it, so the key stops working at once everywhere.
   */
  async revokeSession(accessKeyId: string): Promise<boolean> {
    const existed = await this.sessions.revoke(accessKeyId);
    this.invalidate(accessKeyId);
    return existed;
  }

  async resolve(accessKeyId: string): Promise<ResolvedKey | undefined> {
    if (accessKeyId.startsWith('ASIA')) return this.sessions.resolve(accessKeyId);
    const trusted = this.sync.trusted();
    const hit = trusted ? this.cache.get(accessKeyId) : undefined;
    if (hit) return hit;
    const generation = this.generation;
    const row = await this.db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    if (!row) return undefined;
    const secret = this.rootKey.open(Buffer.from(row.secret_sealed), secretAad(accessKeyId)).toString('utf8');
    let principal: Principal;
    if (row.principal_type === 'Root') {
      principal = rootPrincipal(row.account_id, accessKeyId);
    } else {
      // An IAM user's key: the principal is the user as it is now (ARN, name, AIDA… id).
      const user = await this.db.selectFrom('iam_users').select(['user_id', 'user_name', 'arn'])
        .where('account_id', '=', row.account_id).where('user_key', '=', (row.user_name ?? '').toLowerCase()).executeTakeFirst();
      if (!user) return undefined;
      principal = { type: 'IAMUser', arn: user.arn, accountId: row.account_id, userId: user.user_id, userName: user.user_name, accessKeyId };
    }
    const resolved: ResolvedKey = { principal, secret, status: row.status as ResolvedKey['status'] };
    // A key changed while this read ran (here or on another node) must not be kept as it was.
    if (trusted && generation === this.generation) this.cache.set(accessKeyId, resolved);
    return resolved;
  }

  /** After a write to the key committed: drop it here and on the other nodes. */
  invalidate(accessKeyId: string): void {
    this.dropRemote(accessKeyId);
    this.sync.publish('access-key', accessKeyId);
  }

  /** Another node changed the key. */
  dropRemote(accessKeyId: string): void {
    this.generation++;
    this.cache.delete(accessKeyId);
    // A revoked session's key id (`ASIA…`) travels on the same topic.
    this.sessionStore?.forget(accessKeyId);
    forgetSigningKeys(accessKeyId);
  }

  /** Forgets every resolved key (this node may have missed changes). */
  clear(): void {
    this.generation++;
    for (const id of this.cache.keys()) forgetSigningKeys(id);
    this.cache.clear();
    this.sessionStore?.clear();
  }

  /**
   * Records a key's last use (GetAccessKeyLastUsed) at most once a minute per key and node,
   * so the request path writes nothing in the common case.
   */
  async noteUse(accessKeyId: string, service: string, region: string, now: number): Promise<void> {
    const last = this.lastUseWritten.get(accessKeyId);
    if (last !== undefined && now - last < LAST_USED_GRANULARITY_MS) return;
    this.lastUseWritten.set(accessKeyId, now);
    await this.db.updateTable('access_keys').set({ last_used_at: now, last_used_service: service, last_used_region: region })
      .where('access_key_id', '=', accessKeyId).execute();
  }

  /** A new Active key for an IAM user; its secret is sealed like the root's. */
  async createUserKey(accountId: string, userName: string, userArn: string, accessKeyId: string, secret: string, now: number, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('access_keys').values({
      access_key_id: accessKeyId, account_id: accountId, principal_type: 'IAMUser',
      principal_arn: userArn, user_name: userName,
      secret_sealed: this.rootKey.seal(Buffer.from(secret, 'utf8'), secretAad(accessKeyId)),
      status: 'Active', created_at: now, last_used_at: null, last_used_service: null, last_used_region: null,
    }).execute();
  }

  async createRootKey(accountId: string, accessKeyId: string, secret: string, db: Kysely<Database> = this.db): Promise<void> {
    await db.insertInto('access_keys').values({
      access_key_id: accessKeyId, account_id: accountId, principal_type: 'Root',
      principal_arn: `arn:aws:iam::${accountId}:root`, user_name: null,
      secret_sealed: this.rootKey.seal(Buffer.from(secret, 'utf8'), secretAad(accessKeyId)),
      status: 'Active', created_at: Date.now(), last_used_at: null, last_used_service: null, last_used_region: null,
    }).execute();
  }

  async rootKeyIds(accountId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('access_keys').select('access_key_id')
      .where('account_id', '=', accountId).where('principal_type', '=', 'Root').execute();
    return rows.map((r) => r.access_key_id);
  }
}
