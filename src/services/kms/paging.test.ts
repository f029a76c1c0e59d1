import { test } from 'node:test';
import assert from 'node:assert/strict';
import { page } from './paging.ts';

test('pages follow the marker of the last item and report Truncated', () => {
  const items = ['a', 'b', 'c', 'd', 'e'];
  const first = page(items, (x) => x, 2, undefined, 100);
  assert.deepEqual(first.items, ['a', 'b']);
  assert.equal(first.Truncated, true);
  const second = page(items, (x) => x, 2, first.NextMarker, 100);
  assert.deepEqual(second.items, ['c', 'd']);
  const last = page(items, (x) => x, 2, second.NextMarker, 100);
  assert.deepEqual(last, { items: ['e'], Truncated: false });
  // An item removed between calls does not shift the next page.
  assert.deepEqual(page(['a', 'c', 'd', 'e'], (x) => x, 2, first.NextMarker, 100).items, ['c', 'd']);
});

test('a marker that is not ours is InvalidMarkerException', () => {
  assert.throws(() => page(['a'], (x) => x, 1, 'garbage!', 100), (err: Error & { code?: string }) => err.code === 'InvalidMarkerException');
});
