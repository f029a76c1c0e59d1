import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataKeyCache, dataKeyCacheId } from './data-key-cache.ts';

const key = (byte: number) => Buffer.alloc(32, byte);

describe('DataKeyCache', () => {
  it('returns a copy of what was put, and the caller zeroing it changes nothing cached', () => {
    const cache = new DataKeyCache();
    const original = key(7);
    cache.put('a', original);
    original.fill(0);
    const first = cache.get('a')!;
    assert.deepEqual(first, key(7));
    first.fill(0);
    assert.deepEqual(cache.get('a'), key(7));
    assert.equal(cache.hits, 2);
  });

  it('forgets a key once it is maxAgeMs old, and zeroes it', () => {
    let now = 1_000;
    const cache = new DataKeyCache({ maxAgeMs: 500, now: () => now });
    cache.put('a', key(1));
    now += 499;
    assert.ok(cache.get('a'));
    now += 1;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });

  it('holds at most maxEntries, evicting the oldest', () => {
    let now = 0;
    const cache = new DataKeyCache({ maxEntries: 3, now: () => now++ });
    for (const id of ['a', 'b', 'c', 'd']) cache.put(id, key(1));
    assert.equal(cache.size, 3);
    assert.equal(cache.get('a'), undefined);
    assert.ok(cache.get('d'));
  });

  it('sweeps expired entries when it takes a new one', () => {
    let now = 0;
    const cache = new DataKeyCache({ maxAgeMs: 10, now: () => now });
    cache.put('a', key(1));
    cache.put('b', key(2));
    now = 20;
    cache.put('c', key(3));
    assert.equal(cache.size, 1);
  });

  it('does nothing when disabled', () => {
    for (const options of [{ maxEntries: 0 }, { maxAgeMs: 0 }]) {
      const cache = new DataKeyCache(options);
      cache.put('a', key(1));
      assert.equal(cache.get('a'), undefined);
      assert.equal(cache.enabled, false);
    }
  });

  it('clear() drops everything', () => {
    const cache = new DataKeyCache();
    cache.put('a', key(1));
    cache.clear();
    assert.equal(cache.size, 0);
  });
});

describe('dataKeyCacheId', () => {
  const blob = Buffer.from([0, 1, 2, 255]);

  it('does not depend on the order the context was built in', () => {
    assert.equal(dataKeyCacheId(blob, { SecretARN: 'a', SecretVersionId: 'b' }), dataKeyCacheId(blob, { SecretVersionId: 'b', SecretARN: 'a' }));
  });

  it('differs for any change to the blob or the context, even one that moves a separator', () => {
    const ids = new Set([
      dataKeyCacheId(blob, { a: 'x', b: 'y' }),
      dataKeyCacheId(blob, { a: 'x1:by', b: '' }),
      dataKeyCacheId(blob, { a: 'x', b: 'z' }),
      dataKeyCacheId(blob, { a: 'x' }),
      dataKeyCacheId(Buffer.from([0, 1, 2, 254]), { a: 'x', b: 'y' }),
      dataKeyCacheId(Buffer.from([0, 1, 2]), { a: 'x', b: 'y' }),
    ]);
    assert.equal(ids.size, 6);
  });
});
