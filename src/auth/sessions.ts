/**
 * Temporary credentials issued by STS (AssumeRole, GetSessionToken): an `ASIA…` key id, a
 * secret sealed under the root key exactly as long-term secrets are, and an opaque session
 * token of which only a SHA-256 hash is kept. A request signed with an `ASIA` key must carry
 * the token (`X-Amz-Security-Token`), and the session must be unexpired; `authenticate` checks
 * both through `checkSessionToken`.
 *
 * Sessions do not change once issued (but for a console session's password-change mark, which
 * ChangePassword lifts), so resolved ones are cached until they expire, unless revoked or
 * changed: a console sign-out deletes the row (`revoke`), and the cache is dropped here and,
 * through `CacheSync`, on the other nodes (which answer from memory only while they are sure
 * to hear such drops). Expired rows are swept periodically; an expired row that is still there
 * is refused anyway.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { RootKeySealer } from '../crypto/root-key-ring.ts';
import { AwsError } from '../errors.ts';
import type { Principal } from './principal.ts';
import { LOCAL_ONLY, type CacheSync } from '../cluster/cache-sync.ts';

/** The session part of a resolved `ASIA` key. */
export interface SessionFacts {
  tokenHash: Buffer;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface ResolvedSession {
  principal: Principal;
  secret: string;
  status: 'Active';
  session: SessionFacts;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: Date;
}

/** What the principal of a session is, minus its key id (which the session gets). */
export type SessionPrincipal = Omit<Principal, 'accessKeyId'>;

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const secretAad = (accessKeyId: string) => `access-key:${accessKeyId}`;
const MAX_CACHED = 10_000;
export const SWEEP_INTERVAL_MS = 60_000;

export function newSessionKeyId(): string {
  let id = 'ASIA';
  for (const b of randomBytes(16)) id += KEY_ID_ALPHABET[b % 32];
  return id;
}

/**
 * AWS's session tokens are opaque base64 of several hundred characters; ours are 300 random
 * bytes (400 characters), so they are as long as clients expect and unguessable.
 */
export function newSessionToken(): string {
  return randomBytes(300).toString('base64');
}

export function hashSessionToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export const invalidToken = () => new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400);
export const expiredToken = () => new AwsError('ExpiredTokenException', 'The security token included in the request is expired', 400);

/**
 * The token must be the one issued with the key (compared as hashes, in constant time) and
 * the session unexpired. The query protocol turns these into InvalidClientTokenId/ExpiredToken.
 */
export function checkSessionToken(session: SessionFacts, token: string | undefined, now: number): void {
  if (token === undefined || token === '') throw invalidToken();
  if (!timingSafeEqual(hashSessionToken(token), session.tokenHash)) throw invalidToken();
  if (now >= session.expiresAt) throw expiredToken();
}

export class SessionStore {
  private readonly cache = new Map<string, ResolvedSession>();
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  /** Bumped by every drop: a lookup that began before it is not kept. */
  private generation = 0;

  constructor(private readonly db: Kysely<Database>, private readonly rootKey: RootKeySealer, private readonly sync: CacheSync = LOCAL_ONLY) {}

  async issue(opts: {
    principal: SessionPrincipal;
    durationSeconds: number;
    now: number;
  }): Promise<IssuedCredentials> {
    const accessKeyId = newSessionKeyId();
    const secret = randomBytes(30).toString('base64');
    const token = newSessionToken();
    // AWS reports expirations to the second.
    const expiresAt = Math.floor(opts.now / 1000) * 1000 + opts.durationSeconds * 1000;
    await this.db.insertInto('sts_sessions').values({
      access_key_id: accessKeyId,
      account_id: opts.principal.accountId,
      secret_sealed: this.rootKey.seal(Buffer.from(secret, 'utf8'), secretAad(accessKeyId)),
      session_token_hash: hashSessionToken(token).toString('hex'),
      principal: JSON.stringify(opts.principal),
      session_policies: opts.principal.sessionPolicies ? JSON.stringify(opts.principal.sessionPolicies) : null,
      expires_at: expiresAt,
      created_at: opts.now,
    }).execute();
    return { AccessKeyId: accessKeyId, SecretAccessKey: secret, SessionToken: token, Expiration: new Date(expiresAt) };
  }

  async resolve(accessKeyId: string): Promise<ResolvedSession | undefined> {
    const trusted = this.sync.trusted();
    const hit = trusted ? this.cache.get(accessKeyId) : undefined;
    if (hit) return hit;
    const generation = this.generation;
    const row = await this.db.selectFrom('sts_sessions').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    if (!row) return undefined;
    const secret = this.rootKey.open(Buffer.from(row.secret_sealed), secretAad(accessKeyId)).toString('utf8');
    const principal: Principal = { ...(JSON.parse(row.principal) as SessionPrincipal), accessKeyId };
    const resolved: ResolvedSession = {
      principal, secret, status: 'Active',
      session: { tokenHash: Buffer.from(row.session_token_hash, 'hex'), expiresAt: Number(row.expires_at) },
    };
    // A session revoked while this read ran (here or on another node) must not be kept.
    if (!trusted || generation !== this.generation) return resolved;
    if (this.cache.size >= MAX_CACHED) this.dropExpired(Date.now());
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(accessKeyId, resolved);
    return resolved;
  }

  /**
   * Ends a session before its expiry: its row goes, so the key id no longer resolves and every
   * request signed with it is refused as an invalid token. Returns whether it existed. The
   * caller tells the other nodes (CredentialStore.revokeSession).
   */
  async revoke(accessKeyId: string): Promise<boolean> {
    const res = await this.db.deleteFrom('sts_sessions').where('access_key_id', '=', accessKeyId).executeTakeFirst();
    this.forget(accessKeyId);
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Lifts a console session's `passwordChangeRequired` mark (its ChangePassword succeeded), in
   * `db` — the caller's transaction, so the mark goes with the password change or not at all.
   * The one change a session row ever sees, and only towards fewer limits: a node that still
   * holds the marked copy refuses more than it should until it hears of the change (the caller
   * invalidates the key once committed, as a revocation does), never less.
   */
  async liftPasswordChangeMark(accessKeyId: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<boolean> {
    const row = await db.selectFrom('sts_sessions').select('principal').where('access_key_id', '=', accessKeyId).executeTakeFirst();
    if (!row) return false;
    const { passwordChangeRequired: _lifted, ...principal } = JSON.parse(row.principal) as SessionPrincipal;
    await db.updateTable('sts_sessions').set({ principal: JSON.stringify(principal) }).where('access_key_id', '=', accessKeyId).execute();
    return true;
  }

  /** Drops a session from this node's cache (revoked here or on another node). */
  forget(accessKeyId: string): void {
    this.generation++;
    this.cache.delete(accessKeyId);
  }

  /** Forgets every resolved session (this node may have missed revocations). */
  clear(): void {
    this.generation++;
    this.cache.clear();
  }

  private dropExpired(now: number): void {
    for (const [id, s] of this.cache) if (s.session.expiresAt <= now) this.cache.delete(id);
  }

  /** Deletes sessions that expired before `now`; returns how many. */
  async deleteExpired(now: number): Promise<number> {
    this.dropExpired(now);
    const res = await this.db.deleteFrom('sts_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Sweeps expired sessions every minute (a cheap indexed delete); `stop` before closing the store. */
  startSweeping(now: () => number, onError: (err: unknown) => void): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = this.deleteExpired(now()).catch(onError).finally(() => { this.sweeping = undefined; });
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async stopSweeping(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.sweeping;
  }
}
