import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTagKeysUnique, encodePolicyDocument, mergeTags, newUniqueId, pageOf, removeTags, requestTagConditions } from './entities.ts';

test('unique ids are the prefix and 17 base32 characters', () => {
  for (const prefix of ['AIDA', 'AGPA', 'AROA', 'ANPA'] as const) assert.match(newUniqueId(prefix), new RegExp(`^${prefix}[A-Z2-7]{17}$`));
  assert.notEqual(newUniqueId('AIDA'), newUniqueId('AIDA'));
});

test('pageOf walks every item once, in key order, whatever order it is given', () => {
  const items = ['d', 'a', 'e', 'c', 'b'];
  const seen: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const out = pageOf(items, (x) => x, marker, 2);
    seen.push(...out.page);
    assert.equal(out.IsTruncated, out.Marker !== undefined);
    marker = out.Marker;
    pages++;
  } while (marker);
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(pages, 3);
  assert.deepEqual(pageOf(items, (x) => x, undefined, undefined), { page: ['a', 'b', 'c', 'd', 'e'], IsTruncated: false });
});

test('tag keys are case-insensitive: merge replaces, remove matches, duplicates are refused', () => {
  assert.deepEqual(mergeTags([{ Key: 'Team', Value: 'a' }, { Key: 'x', Value: '1' }], [{ Key: 'team', Value: 'b' }]),
    [{ Key: 'x', Value: '1' }, { Key: 'team', Value: 'b' }]);
  assert.deepEqual(removeTags([{ Key: 'Team', Value: 'a' }, { Key: 'x', Value: '1' }], ['TEAM']), [{ Key: 'x', Value: '1' }]);
  assert.throws(() => checkTagKeysUnique([{ Key: 'a', Value: '' }, { Key: 'A', Value: '' }]), { name: 'InvalidInput' });
  assert.deepEqual(requestTagConditions([{ Key: 'team', Value: 'core' }]), { 'aws:RequestTag/team': 'core', 'aws:TagKeys': ['team'] });
  assert.deepEqual(requestTagConditions(undefined), {});
});

test('policy documents are percent-encoded as RFC 3986 has it, and decode back', () => {
  const doc = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/(x)!\'"}}';
  const encoded = encodePolicyDocument(doc);
  assert.match(encoded, /^%7B%22Version%22%3A/);
  assert.doesNotMatch(encoded, /[!'()*]/);
  assert.equal(decodeURIComponent(encoded), doc);
});
