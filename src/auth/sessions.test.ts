import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../storage/database.ts';
import { checkSessionToken, hashSessionToken, SessionStore } from './sessions.ts';
import { CredentialStore } from './credentials.ts';
import { RootKeyRing } from '../crypto/root-key-ring.ts';

describe('STS session store', () => {
  let store: Store;
  let sessions: SessionStore;
  const rootKey = new RootKeyRing(1, randomBytes(32));
  const principal = { type: 'AssumedRole' as const, arn: 'arn:aws:sts::111122223333:assumed-role/app/s', accountId: '111122223333', userId: 'AROAEXAMPLE:s', roleArn: 'arn:aws:iam::111122223333:role/app' };

  before(async () => {
    store = await openStore('sqlite://:memory:');
    sessions = new SessionStore(store.db, rootKey);
  });
  after(() => store.close());

  test('issues ASIA credentials that resolve to the session principal; only the token hash is kept', async () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const issued = await sessions.issue({ principal, durationSeconds: 900, now });
    assert.match(issued.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(issued.SecretAccessKey.length, 40);
    assert.equal(issued.SessionToken.length, 400);
    // Expirations are whole seconds, as AWS reports them.
    assert.equal(issued.Expiration.getTime(), Date.UTC(2026, 0, 1, 12, 15, 0));
    const row = await store.db.selectFrom('sts_sessions').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.session_token_hash, hashSessionToken(issued.SessionToken).toString('hex'));
    assert.equal(Buffer.from(row.secret_sealed).includes(Buffer.from(issued.SecretAccessKey)), false);

    const resolved = await new CredentialStore(store.db, rootKey).resolve(issued.AccessKeyId);
    assert.ok(resolved?.session);
    assert.equal(resolved.secret, issued.SecretAccessKey);
    assert.deepEqual(resolved.principal, { ...principal, accessKeyId: issued.AccessKeyId });
    checkSessionToken(resolved.session, issued.SessionToken, now);
  });

  test('checkSessionToken: missing or wrong token is invalid; at or after expiry it is expired', () => {
    const token = 'a'.repeat(400);
    const facts = { tokenHash: hashSessionToken(token), expiresAt: 1_000_000 };
    for (const bad of [undefined, '', `${token}x`, 'b'.repeat(400)]) {
      assert.throws(() => checkSessionToken(facts, bad, 0), { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    }
    checkSessionToken(facts, token, 999_999);
    assert.throws(() => checkSessionToken(facts, token, 1_000_000), { code: 'ExpiredTokenException', message: 'The security token included in the request is expired', status: 400 });
  });

  test('deleteExpired removes only sessions past their expiry', async () => {
    const now = Date.now();
    const short = await sessions.issue({ principal, durationSeconds: 900, now: now - 3600_000 });
    const live = await sessions.issue({ principal, durationSeconds: 900, now });
    assert.ok(await sessions.resolve(short.AccessKeyId));
    assert.ok((await sessions.deleteExpired(now)) >= 1);
    assert.equal(await new SessionStore(store.db, rootKey).resolve(short.AccessKeyId), undefined);
    assert.equal(await sessions.resolve(short.AccessKeyId), undefined, 'the cache forgets swept sessions too');
    assert.ok(await sessions.resolve(live.AccessKeyId));
  });

  test('revokeSession: the key stops resolving at once, on this node and on a node told through CacheSync', async () => {
    // Two nodes over one database: what one publishes, the other hears (as the change bus delivers it).
    const heard: Array<[string, string]> = [];
    let other: CredentialStore | undefined;
    const here = new CredentialStore(store.db, rootKey, { trusted: () => true, publish: (topic, key) => { heard.push([topic, key]); other?.dropRemote(key); } });
    other = new CredentialStore(store.db, rootKey);
    const issued = await here.sessions.issue({ principal, durationSeconds: 900, now: Date.now() });
    // Both nodes have it cached.
    assert.ok(await here.resolve(issued.AccessKeyId));
    assert.ok(await other.resolve(issued.AccessKeyId));
    assert.equal(await here.revokeSession(issued.AccessKeyId), true);
    assert.deepEqual(heard, [['access-key', issued.AccessKeyId]]);
    assert.equal(await here.resolve(issued.AccessKeyId), undefined);
    assert.equal(await other.resolve(issued.AccessKeyId), undefined);
    assert.equal(await here.revokeSession(issued.AccessKeyId), false, 'revoking again finds nothing');
  });

  test('a node that may have missed a revocation does not answer from its cache', async () => {
    let trusted = true;
    const node = new SessionStore(store.db, rootKey, { trusted: () => trusted, publish: () => undefined });
    const issued = await node.issue({ principal, durationSeconds: 900, now: Date.now() });
    assert.ok(await node.resolve(issued.AccessKeyId));
    // Revoked elsewhere while this node's notification connection was down.
    await new SessionStore(store.db, rootKey).revoke(issued.AccessKeyId);
    trusted = false;
    assert.equal(await node.resolve(issued.AccessKeyId), undefined);
  });
});
