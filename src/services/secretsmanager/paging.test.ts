import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors.ts';
import { pageAfter, type KeysetOrder } from './paging.ts';

interface Item { at: number; name: string }
const order = (kind = 'T', direction = 1): KeysetOrder<Item> => ({
  kind,
  arity: 2,
  key: (i) => [i.at, i.name],
  compare: (a, b) => direction * ((a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0) || (a[1]! < b[1]! ? -1 : a[1]! > b[1]! ? 1 : 0)),
});
const items = (names: string[]) => names.map((name, i) => ({ at: i, name }));
const invalid = (err: unknown) => err instanceof AwsError && err.code === 'InvalidNextTokenException';

test('pages cover every item once and the last page has no token', () => {
  const all = items(['a', 'b', 'c', 'd', 'e']);
  const seen: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const p = pageAfter(all, order(), token, 2);
    seen.push(...p.items.map((i) => i.name));
    token = p.next;
    pages++;
  } while (token);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(pages, 3);
  assert.equal(pageAfter(all, order(), undefined, 5).next, undefined);
});

test('a token names a position, so removing an item already seen skips nothing', () => {
  const all = items(['a', 'b', 'c', 'd']);
  const first = pageAfter(all, order(), undefined, 2);
  const rest = pageAfter(all.filter((i) => i.name !== 'a'), order(), first.next, 10);
  assert.deepEqual(rest.items.map((i) => i.name), ['c', 'd']);
  // Even the item the token points at may be gone.
  const without = pageAfter(all.filter((i) => i.name !== 'b'), order(), first.next, 10);
  assert.deepEqual(without.items.map((i) => i.name), ['c', 'd']);
});

test('ties on the first key are broken by the second', () => {
  const all = [{ at: 1, name: 'x' }, { at: 1, name: 'y' }, { at: 1, name: 'z' }];
  const first = pageAfter(all, order(), undefined, 1);
  assert.deepEqual(pageAfter(all, order(), first.next, 5).items.map((i) => i.name), ['y', 'z']);
});

test('a token from another kind of listing, or malformed, is InvalidNextTokenException', () => {
  const all = items(['a', 'b', 'c']);
  const token = pageAfter(all, order('A'), undefined, 1).next;
  assert.throws(() => pageAfter(all, order('B'), token, 1), invalid);
  for (const bad of ['x', '', Buffer.from('{"k":"A","a":[1]}').toString('base64url'), Buffer.from('{"k":"A","a":[{},"a"]}').toString('base64url'), Buffer.from('[]').toString('base64url')]) {
    assert.throws(() => pageAfter(all, order('A'), bad, 1), invalid, bad);
  }
});
