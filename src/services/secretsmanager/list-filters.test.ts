import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors.ts';
import { compileFilters, splitWords, type FilterableSecret, type SecretFilter } from './list-filters.ts';

const secret = (name: string, extra: Partial<FilterableSecret> = {}): FilterableSecret => ({
  name,
  tags: [],
  ...extra,
});
const names = (secrets: FilterableSecret[], filters: SecretFilter[]) => {
  const p = compileFilters(filters);
  return secrets.filter(p).map((s) => s.name);
};
const awsError = (code: string, message: string) => (err: unknown) =>
  err instanceof AwsError && err.code === code && err.message === message;

test('no filters match everything', () => {
  assert.equal(compileFilters(undefined)(secret('x')), true);
  assert.equal(compileFilters([])(secret('x')), true);
});

test('splitWords', () => {
  assert.deepEqual(splitWords('a secret'), ['a', 'secret']);
  assert.deepEqual(splitWords('my/app_name+x=y.z@host-1'), ['my', 'app', 'name', 'x', 'y', 'z', 'host', '1']);
  assert.deepEqual(splitWords('myTestSecret'), ['my', 'Test', 'Secret']);
  assert.deepEqual(splitWords('COMPANYthings'), ['COMPAN', 'Ythings']);
  assert.deepEqual(splitWords('ABC'), ['ABC']);
  assert.deepEqual(splitWords('/'), []);
  assert.deepEqual(splitWords(''), []);
});

test('name: case-sensitive prefix of the whole name', () => {
  const all = [secret('testing1'), secret('testing2'), secret('Testing3'), secret('other')];
  assert.deepEqual(names(all, [{ Key: 'name', Values: ['testing'] }]), ['testing1', 'testing2']);
  assert.deepEqual(names(all, [{ Key: 'name', Values: ['testing1 one'] }]), []);
  assert.deepEqual(names(all, [{ Key: 'name', Values: ['!testing'] }]), ['Testing3', 'other']);
  assert.deepEqual(names(all, [{ Key: 'name', Values: ['testing1', 'oth'] }]), ['testing1', 'other']);
});

test('description: word-based, case-insensitive (LocalStack-recorded example)', () => {
  const all = [
    secret('s1', { description: 'a secret' }),
    secret('s2', { description: 'an secret' }),
    secret('s3', { description: 'asecret' }),
    secret('s4', { description: 'thesecret' }),
  ];
  assert.deepEqual(names(all, [{ Key: 'description', Values: ['a'] }]), ['s1', 's2', 's3']);
  assert.deepEqual(names(all, [{ Key: 'description', Values: ['A'] }]), ['s1', 's2', 's3']);
  assert.deepEqual(names(all, [{ Key: 'description', Values: ['!a'] }]), ['s4']);
});

test('description: every word of the value must match (moto, AWS-verified)', () => {
  const all = [
    secret('foo', { description: 'one two' }),
    secret('bar', { description: 'one and two' }),
    secret('baz', { description: 'one' }),
    secret('qux', { description: 'two' }),
    secret('none', { description: 'unrelated' }),
  ];
  assert.deepEqual(names(all, [{ Key: 'description', Values: ['one two'] }]), ['foo', 'bar']);
  // Same key twice: AND.
  assert.deepEqual(
    names(all, [
      { Key: 'description', Values: ['one'] },
      { Key: 'description', Values: ['two'] },
    ]),
    ['foo', 'bar'],
  );
  const neg = names(all, [{ Key: 'description', Values: ['one', '!two'] }]);
  for (const n of ['foo', 'bar', 'baz']) assert.ok(neg.includes(n));
  const notO = names(all, [{ Key: 'description', Values: ['!o'] }]);
  assert.ok(notO.includes('qux') && notO.includes('none') && !notO.includes('foo'));
});

test('description: case-change words and lone separators', () => {
  const s = secret('x', { description: 'COMPANYthings' });
  assert.equal(compileFilters([{ Key: 'description', Values: ['ythings'] }])(s), true);
  assert.equal(compileFilters([{ Key: 'description', Values: ['compan'] }])(s), true);
  assert.equal(compileFilters([{ Key: 'description', Values: ['things'] }])(s), false);
  assert.equal(compileFilters([{ Key: 'description', Values: ['-'] }])(s), false);
  assert.equal(compileFilters([{ Key: 'description', Values: ['a'] }])(secret('nodesc')), false);
});

test('tag-key / tag-value: case-sensitive prefix; AND across filters', () => {
  const all = [
    secret('foo', { tags: [{ Key: 'right', Value: 'right' }] }),
    secret('bar', { tags: [{ Key: 'right', Value: 'wrong' }] }),
    secret('baz', { tags: [{ Key: 'wrong', Value: 'right' }] }),
    secret('qux', { tags: [{ Key: 'Right', Value: 'wrong' }] }),
  ];
  assert.deepEqual(
    names(all, [
      { Key: 'tag-key', Values: ['right'] },
      { Key: 'tag-value', Values: ['right'] },
    ]),
    ['foo'],
  );
  assert.deepEqual(names(all, [{ Key: 'tag-key', Values: ['ri'] }]), ['foo', 'bar']);
  assert.deepEqual(names(all, [{ Key: 'tag-value', Values: ['wr'] }]), ['bar', 'qux']);
});

test('primary-region case-sensitive, owning-service case-insensitive', () => {
  const a = secret('a', { primaryRegion: 'us-east-1', owningService: 'rds' });
  const b = secret('b', { primaryRegion: 'eu-west-1' });
  assert.deepEqual(names([a, b], [{ Key: 'primary-region', Values: ['us-'] }]), ['a']);
  assert.deepEqual(names([a, b], [{ Key: 'primary-region', Values: ['US-'] }]), []);
  assert.deepEqual(names([a, b], [{ Key: 'owning-service', Values: ['RD'] }]), ['a']);
  assert.deepEqual(names([a, b], [{ Key: 'owning-service', Values: ['n/a'] }]), []);
});

test('all: name, description, tag keys and values', () => {
  const all = [
    secret('foo'),
    secret('bar', { description: 'foo' }),
    secret('baz', { tags: [{ Key: 'foo', Value: '1' }] }),
    secret('qux', { tags: [{ Key: '1', Value: 'foo' }] }),
    secret('none'),
    secret('my/FooBar'),
  ];
  assert.deepEqual(names(all, [{ Key: 'all', Values: ['foo'] }]), ['foo', 'bar', 'baz', 'qux', 'my/FooBar']);
  assert.deepEqual(names(all, [{ Key: 'all', Values: ['BAR'] }]), ['bar', 'my/FooBar']);
});

test('unknown key → ValidationException in AWS form', () => {
  assert.throws(
    () => compileFilters([{ Key: 'invalid', Values: ['foo'] }]),
    awsError(
      'ValidationException',
      "1 validation error detected: Value 'invalid' at 'filters.1.member.key' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [all, name, tag-key, description, tag-value, primary-region, owning-service]',
    ),
  );
});

test('several model violations are reported together', () => {
  assert.throws(
    () => compileFilters([{ Key: 'name', Values: ['ok'] }, { Key: 'bad', Values: ['x*'] }]),
    (err: unknown) =>
      err instanceof AwsError &&
      err.code === 'ValidationException' &&
      err.message.startsWith('2 validation errors detected: ') &&
      err.message.includes("at 'filters.2.member.key'") &&
      err.message.includes("Value '[x*]' at 'filters.2.member.values'"),
  );
  assert.throws(() => compileFilters([{ Key: 'name', Values: [] }]), awsError(
    'ValidationException',
    "1 validation error detected: Value '[]' at 'filters.1.member.values' failed to satisfy constraint: Member must have length greater than or equal to 1",
  ));
  assert.throws(() => compileFilters([{ Key: 'name', Values: ['a'.repeat(513)] }]), /less than or equal to 512/);
  assert.throws(() => compileFilters(Array.from({ length: 11 }, () => ({ Key: 'name', Values: ['a'] }))), /at 'filters' failed/);
  assert.doesNotThrow(() => compileFilters([{ Key: 'all', Values: ['!a b:c_d@e/f+g=h.i-j!'] }]));
});

test('missing Key or Values → InvalidParameterException (moto texts)', () => {
  assert.throws(() => compileFilters([{ Values: ['foo'] }]), awsError('InvalidParameterException', 'Invalid filter key'));
  assert.throws(
    () => compileFilters([{ Key: 'description' }]),
    awsError('InvalidParameterException', 'Invalid filter values for key: description'),
  );
});
