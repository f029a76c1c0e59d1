import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { openStore, type Store } from '../storage/database.ts';
import { CredentialStore, newAccessKeyId, newSecretAccessKey } from '../auth/credentials.ts';
import { KeyStore } from '../services/kms/key-store.ts';
import { seal as aeadSeal } from './aead.ts';
import { unlockRootKey } from './root-key.ts';
import { generationOf } from './root-key-ring.ts';
import { readRootKeyRows } from './root-key-rows.ts';
import { refreshRing } from './root-key-watch.ts';
import { rotateRootKey } from './root-key-rotation.ts';
import type { RootKeySource } from './root-key-source.ts';
import { sealedColumnName, sealedColumns } from './sealed-columns.ts';

const naming = { env: 'COFFER_', flag: '--' };
const keySource = (key: Buffer, prefix = ''): RootKeySource => ({
  provider: 'file', naming: prefix ? { env: 'COFFER_NEW_', flag: '--new-' } : naming, kms: {}, key: key.toString('base64'), mayCreateFile: false,
});
const ACCOUNT = '111122223333';

async function sealedValues(store: Store): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const [t, c] of [['access_keys', 'secret_sealed'], ['sts_sessions', 'secret_sealed'], ['kms_key_materials', 'material_sealed']]) {
    const rows = await sql<{ v: Uint8Array }>`select ${sql.ref(c!)} as v from ${sql.table(t!)}`.execute(store.db);
    out.push(...rows.rows.map((r) => Buffer.from(r.v)));
  }
  return out;
}

describe('root key rotation', () => {
  let store: Store;
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const secrets = new Map<string, string>();
  let sessionKeyId: string;
  let sessionSecret: string;
  let material: Buffer;
  let materialKey: Awaited<ReturnType<KeyStore['secretsManagerKey']>>;
  const lines: string[] = [];
  const print = (l: string) => { lines.push(l); };

  before(async () => {
    store = await openStore('sqlite://:memory:');
    const ring = await unlockRootKey(keySource(k1), store.db);
    const creds = new CredentialStore(store.db, ring);
    for (let i = 0; i < 25; i++) {
      const id = newAccessKeyId();
      const secret = newSecretAccessKey();
      await creds.createRootKey(ACCOUNT, id, secret);
      secrets.set(id, secret);
    }
    // An access key sealed the way coffer sealed before generations (format 1).
    const legacyId = newAccessKeyId();
    secrets.set(legacyId, 'legacy-secret-access-key');
    await creds.createRootKey(ACCOUNT, legacyId, 'placeholder');
    await store.db.updateTable('access_keys').set({ secret_sealed: aeadSeal(k1, Buffer.from('legacy-secret-access-key'), `access-key:${legacyId}`) })
      .where('access_key_id', '=', legacyId).execute();
    const issued = await creds.sessions.issue({ principal: { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, userId: ACCOUNT }, durationSeconds: 3600, now: Date.now() });
    sessionKeyId = issued.AccessKeyId;
    sessionSecret = issued.SecretAccessKey;
    const keys = new KeyStore(store.db, ring);
    materialKey = await keys.secretsManagerKey(ACCOUNT, 'us-east-1');
    material = Buffer.from(await keys.material(materialKey, 1));
  });
  after(() => store?.close());

  test('refuses to rotate to the current key, and needs a new key when none is in progress', async () => {
    const ring = await unlockRootKey(keySource(k1), store.db);
    await assert.rejects(rotateRootKey({ db: store.db, dialect: 'sqlite', ring, next: keySource(k1, 'new'), batchSize: 7, print, graceMs: 0 }), /is the current root key/);
    await assert.rejects(rotateRootKey({ db: store.db, dialect: 'sqlite', ring, batchSize: 7, print, graceMs: 0 }), /no rotation is in progress/);
    assert.equal((await readRootKeyRows(store.db)).length, 1);
  });

  test('an interrupted rotation leaves both generations readable, by old and new key alike, with its progress recorded', async () => {
    const running = await unlockRootKey(keySource(k1), store.db); // a server started before the rotation
    const ring = await unlockRootKey(keySource(k1), store.db);
    await assert.rejects(rotateRootKey({
      db: store.db, dialect: 'sqlite', ring, next: keySource(k2, 'new'), batchSize: 7, print, graceMs: 0,
      afterBatch: (n) => { if (n >= 10) throw new Error('interrupted'); },
    }), /interrupted/);
    const rows = await readRootKeyRows(store.db);
    assert.deepEqual(rows.map((r) => [r.generation, r.state]), [[1, 'active'], [2, 'incoming']]);
    assert.equal(rows[1]!.progress!.resealed['access_keys.secret_sealed'], 14, 'two batches of 7 committed');
    const gens = (await sealedValues(store)).map(generationOf);
    assert.ok(gens.includes(1) && gens.includes(2), `a mix of generations: ${gens}`);

    // The running server learns generation 2 from the database and seals under it.
    assert.deepEqual(running.generations(), [1]);
    await refreshRing(running, store.db);
    assert.deepEqual(running.generations(), [1, 2]);
    assert.equal(running.sealingGeneration, 2);
    // A server restarted with the new key mid-rotation reads values still under generation 1.
    const restarted = await unlockRootKey(keySource(k2), store.db);
    assert.deepEqual(restarted.generations(), [1, 2]);
    for (const r of [running, restarted]) {
      const creds = new CredentialStore(store.db, r);
      for (const [id, secret] of secrets) assert.equal((await creds.resolve(id))?.secret, secret);
    }
    // Resuming with another new key than the one in progress is refused.
    await assert.rejects(
      rotateRootKey({ db: store.db, dialect: 'sqlite', ring: await unlockRootKey(keySource(k1), store.db), next: keySource(randomBytes(32), 'new'), batchSize: 7, print, graceMs: 0 }),
      /a rotation to root key generation 2 .* is in progress and the root key from COFFER_NEW_ROOT_KEY is not its key/,
    );
  });

  test('rerun, it resumes, re-seals the rest (format 1 values too) and retires the old generation', async () => {
    lines.length = 0;
    const running = await unlockRootKey(keySource(k1), store.db);
    const result = await rotateRootKey({ db: store.db, dialect: 'sqlite', ring: await unlockRootKey(keySource(k1), store.db), batchSize: 7, print, graceMs: 0 });
    assert.equal(result.generation, 2);
    assert.deepEqual(result.retired, [1]);
    assert.match(lines[0]!, /^resuming the rotation to root key generation 2/);
    assert.ok(lines.some((l) => /14 were re-sealed before the interruption/.test(l)), lines.join('\n'));
    assert.match(lines.at(-1)!, /^done: every sealed value is under root key generation 2/);
    assert.deepEqual(new Set((await sealedValues(store)).map(generationOf)), new Set([2]));

    const rows = await readRootKeyRows(store.db);
    assert.deepEqual(rows.map((r) => [r.generation, r.state, r.wrappedByPrevious, r.previousWrapped, r.progress]), [[1, 'retired', null, null, null], [2, 'active', null, null, null]]);

    // Only the new key is needed now, and the old one is refused with what to do.
    const onlyNew = await unlockRootKey(keySource(k2), store.db);
    assert.deepEqual(onlyNew.generations(), [2]);
    const creds = new CredentialStore(store.db, onlyNew);
    for (const [id, secret] of secrets) assert.equal((await creds.resolve(id))?.secret, secret);
    assert.equal((await creds.resolve(sessionKeyId))?.secret, sessionSecret);
    assert.deepEqual(await new KeyStore(store.db, onlyNew).material(materialKey, 1), material);
    await assert.rejects(unlockRootKey(keySource(k1), store.db), /is root key generation 1, which `coffer root-key rotate` retired at .*; this database now uses generation 2/);

    // A server that ran through the rotation drops the old key at its next refresh.
    await refreshRing(running, store.db);
    assert.deepEqual(running.generations(), [2]);
  });

  test('a second rotation goes on from generation 2, and a retired key cannot come back', async () => {
    const ring = await unlockRootKey(keySource(k2), store.db);
    await assert.rejects(rotateRootKey({ db: store.db, dialect: 'sqlite', ring, next: keySource(k1, 'new'), batchSize: 50, print, graceMs: 0 }), /retired by an earlier rotation/);
    const k3 = randomBytes(32);
    const result = await rotateRootKey({ db: store.db, dialect: 'sqlite', ring, next: keySource(k3, 'new'), batchSize: 50, print, graceMs: 0 });
    assert.equal(result.generation, 3);
    assert.deepEqual(new Set((await sealedValues(store)).map(generationOf)), new Set([3]));
  });
});

test('the sealed columns are found in the live schema, with the primary keys that address their rows', async () => {
  const store = await openStore('sqlite://:memory:');
  try {
    const found = await sealedColumns(store.db, 'sqlite');
    const byName = new Map(found.map((c) => [sealedColumnName(c), c.key]));
    assert.deepEqual(byName.get('access_keys.secret_sealed'), ['access_key_id']);
    assert.deepEqual(byName.get('sts_sessions.secret_sealed'), ['access_key_id']);
    assert.deepEqual(byName.get('kms_key_materials.material_sealed'), ['key_id', 'material_version']);
    assert.deepEqual(byName.get('iam_mfa_devices.seed_sealed'), ['account_id', 'device_key']);
    assert.ok(!byName.has('root_keys.key_check'), 'root_keys holds no ring-sealed column');
  } finally {
    await store.close();
  }
});
