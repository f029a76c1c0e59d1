import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { seal as aeadSeal, SealError } from './aead.ts';
import { generationOf, ringHeader, RootKeyRing, StaleRingError, UnknownGenerationError } from './root-key-ring.ts';

test('a sealed value names its generation, opens with its additional data only, and never holds the plaintext', () => {
  const ring = new RootKeyRing(3, randomBytes(32));
  const plaintext = Buffer.from('an access key secret');
  const sealed = ring.seal(plaintext, 'access-key:AKIA1');
  assert.equal(generationOf(sealed), 3);
  assert.deepEqual(sealed.subarray(0, 5), ringHeader(3));
  assert.ok(!sealed.includes(plaintext));
  assert.deepEqual(ring.open(sealed, 'access-key:AKIA1'), plaintext);
  assert.throws(() => ring.open(sealed, 'access-key:AKIA2'), SealError);
  assert.notDeepEqual(ring.seal(plaintext, 'a'), ring.seal(plaintext, 'a'), 'fresh data key and IV every time');
});

test('a value under a generation the ring lacks is refused, and the ring asks to be refreshed', () => {
  const ring = new RootKeyRing(1, randomBytes(32));
  const other = new RootKeyRing(2, randomBytes(32));
  const asked: number[] = [];
  ring.onUnknownGeneration = (g) => asked.push(g);
  assert.throws(() => ring.open(other.seal(Buffer.from('x'), 'a'), 'a'), UnknownGenerationError);
  assert.deepEqual(asked, [2]);
});

test('a forged generation in the header does not open, even when the ring holds that generation', () => {
  const k1 = randomBytes(32);
  const ring = new RootKeyRing(1, k1);
  ring.add(2, randomBytes(32));
  const sealed = ring.seal(Buffer.from('x'), 'a');
  const forged = Buffer.from(sealed);
  forged.writeUInt32BE(2, 1);
  assert.throws(() => ring.open(forged, 'a'), SealError);
});

test('format 1 values (sealed before generations) open as generation 1', () => {
  const k1 = randomBytes(32);
  const legacy = aeadSeal(k1, Buffer.from('old secret'), 'access-key:AKIA1');
  assert.equal(generationOf(legacy), 1);
  assert.deepEqual(new RootKeyRing(1, k1).open(legacy, 'access-key:AKIA1'), Buffer.from('old secret'));
  assert.throws(() => new RootKeyRing(1, k1).rewrap(legacy, 1), SealError);
});

test('rewrap moves a value to another generation without touching its body; only the new key is then needed', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const both = new RootKeyRing(1, k1);
  both.add(2, k2);
  const sealed = both.seal(Buffer.from('material'), 'kms-material:arn:1');
  const moved = both.rewrap(sealed, 2);
  assert.equal(generationOf(moved), 2);
  assert.equal(moved.length, sealed.length);
  assert.deepEqual(moved.subarray(66), sealed.subarray(66), 'the body is copied as it is');
  assert.deepEqual(new RootKeyRing(2, k2).open(moved, 'kms-material:arn:1'), Buffer.from('material'));
  assert.throws(() => new RootKeyRing(1, k1).open(moved, 'kms-material:arn:1'), UnknownGenerationError);
  assert.equal(both.rewrap(moved, 2), moved);
});

test('sealWith switches new values to a generation; forget drops a key but never the sealing one', () => {
  const ring = new RootKeyRing(1, randomBytes(32));
  ring.add(2, randomBytes(32));
  ring.sealWith(2);
  assert.equal(generationOf(ring.seal(Buffer.from('x'), 'a')), 2);
  ring.forget(2);
  assert.deepEqual(ring.generations(), [1, 2]);
  ring.forget(1);
  assert.deepEqual(ring.generations(), [2]);
  assert.throws(() => ring.sealWith(1), UnknownGenerationError);
});

test('a ring not refreshed within its window refuses to seal, but still opens', async () => {
  const ring = new RootKeyRing(1, randomBytes(32));
  const sealed = ring.seal(Buffer.from('x'), 'a');
  ring.freshFor(5);
  await new Promise((r) => setTimeout(r, 20));
  assert.throws(() => ring.seal(Buffer.from('x'), 'a'), StaleRingError);
  assert.deepEqual(ring.open(sealed, 'a'), Buffer.from('x'));
  ring.freshFor(1_000);
  assert.doesNotThrow(() => ring.seal(Buffer.from('x'), 'a'));
});
