import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { openStore, type Store } from '../../storage/database.ts';
import { open, seal } from '../../crypto/aead.ts';
import { acceptCode, consecutiveCodesStep, findDeviceBySerial, matchingStep, newSeed, sealSeed, stepAt, type MfaDeviceRow, type Sealer } from './mfa-store.ts';

const ACCOUNT = '111122223333';
const SERIAL = `arn:aws:iam::${ACCOUNT}:mfa/phone`;
const key = randomBytes(32);
const sealer: Sealer = { seal: (p, aad) => seal(key, p, aad), open: (c, aad) => open(key, c, aad) };
const seed = newSeed();
const totp = new TOTP({ secret: new Secret({ buffer: new Uint8Array(seed).buffer }), algorithm: 'SHA1', digits: 6, period: 30 });
const NOW = 1_900_000_000_000;
const at = (step: number) => totp.generate({ timestamp: step * 30_000 });

let store: Store;
before(async () => {
  store = await openStore('sqlite://:memory:');
  await store.db.insertInto('iam_mfa_devices').values({
    account_id: ACCOUNT, device_key: 'phone', device_name: 'phone', path: '/', serial_number: SERIAL, seed_sealed: sealSeed(sealer, SERIAL, seed),
    tags: '[]', user_key: 'alice', enabled_at: NOW, created_at: NOW,
  }).execute();
});
after(() => store.close());
const device = async (): Promise<MfaDeviceRow> => (await findDeviceBySerial(store.db, ACCOUNT, SERIAL))!;

test('a code is accepted for its step, one step either side, once; earlier steps are refused after it', async () => {
  const now = stepAt(NOW);
  assert.equal(matchingStep(sealer, await device(), at(now + 2), NOW), undefined);
  assert.equal(matchingStep(sealer, await device(), at(now - 1), NOW), now - 1);
  assert.equal(await acceptCode(store.db, sealer, await device(), at(now), NOW), true);
  assert.equal(await acceptCode(store.db, sealer, await device(), at(now), NOW), false);
  assert.equal(await acceptCode(store.db, sealer, await device(), at(now - 1), NOW), false);
  assert.equal(await acceptCode(store.db, sealer, await device(), at(now + 1), NOW), true);
  assert.equal(Number((await device()).last_used_step), now + 1);
});

test('a row read before another request used the code cannot use it again (the UPDATE is conditional)', async () => {
  const later = NOW + 10 * 30_000;
  const stale = await device();
  assert.equal(await acceptCode(store.db, sealer, stale, at(stepAt(later)), later), true);
  assert.equal(await acceptCode(store.db, sealer, stale, at(stepAt(later)), later), false);
});

test('two consecutive codes: the step of the second, within the window, after the last used step', async () => {
  const now = stepAt(NOW) + 100;
  const ms = now * 30_000;
  const row = await device();
  assert.equal(consecutiveCodesStep(sealer, row, at(now - 1), at(now), ms), now);
  assert.equal(consecutiveCodesStep(sealer, row, at(now - 3), at(now - 2), ms), now - 2);
  assert.equal(consecutiveCodesStep(sealer, row, at(now - 4), at(now - 3), ms), undefined);
  assert.equal(consecutiveCodesStep(sealer, row, at(now), at(now - 1), ms), undefined, 'order matters');
  assert.equal(consecutiveCodesStep(sealer, row, at(now + 30), at(now + 31), ms, -120, 120), now + 31);
  assert.equal(consecutiveCodesStep(sealer, { ...row, last_used_step: now }, at(now - 1), at(now), ms), undefined);
});
