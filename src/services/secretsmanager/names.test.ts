import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors.ts';
import {
  INVALID_NAME_MESSAGE,
  buildSecretArn,
  isValidSecretName,
  parseSecretArn,
  randomArnSuffix,
  secretIdCandidates,
  secretNameFromArn,
  validateSecretId,
  validateSecretName,
} from './names.ts';

const invalidName = (err: unknown) =>
  err instanceof AwsError && err.code === 'ValidationException' && err.message === INVALID_NAME_MESSAGE;

test('valid names', () => {
  for (const n of ['a', 'my/secret', 'prod/db_user+x=y.z@host-1', 'A'.repeat(512), 'x-a1b2c3']) {
    assert.ok(isValidSecretName(n), n);
    assert.doesNotThrow(() => validateSecretName(n));
  }
});

test('invalid names → ValidationException with AWS text', () => {
  for (const n of ['', 'a b', 'a*', 'a?', 'a]', 'a\\b', 'a:b', 'a!', 'é', 'A'.repeat(513)]) {
    assert.equal(isValidSecretName(n), false, n);
    assert.throws(() => validateSecretName(n), invalidName, n);
  }
});

test('validateSecretId: names checked, ARNs exempt', () => {
  assert.doesNotThrow(() => validateSecretId('good/name'));
  assert.doesNotThrow(() => validateSecretId('arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf'));
  assert.doesNotThrow(() => validateSecretId('arn:aws:sqs:whatever with spaces'));
  assert.throws(() => validateSecretId('bad name'), invalidName);
  assert.throws(() => validateSecretId('bad*'), invalidName);
});

test('ARN construction uses a fresh 6-character alphanumeric suffix', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const arn = buildSecretArn({ region: 'eu-west-1', accountId: '123456789012', name: 'app/db' });
    assert.match(arn, /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:app\/db-[A-Za-z0-9]{6}$/);
    seen.add(arn);
  }
  assert.ok(seen.size > 195);
  assert.match(randomArnSuffix(), /^[A-Za-z0-9]{6}$/);
  assert.equal(
    buildSecretArn({ partition: 'aws-cn', region: 'cn-north-1', accountId: '1', name: 'n', suffix: 'abcdef' }),
    'arn:aws-cn:secretsmanager:cn-north-1:1:secret:n-abcdef',
  );
});

test('parseSecretArn', () => {
  assert.deepEqual(parseSecretArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:a/b-AbCdEf'), {
    partition: 'aws',
    region: 'us-east-1',
    accountId: '123456789012',
    resource: 'a/b-AbCdEf',
  });
  assert.equal(parseSecretArn('arn:aws:kms:us-east-1:123456789012:key/abc'), undefined);
  assert.equal(parseSecretArn('arn:aws:secretsmanager:us-east-1:123456789012:other:x'), undefined);
  assert.equal(parseSecretArn('arn:aws:secretsmanager:us-east-1:123456789012:secret:'), undefined);
  assert.equal(parseSecretArn('arn:aws:secretsmanager::123456789012:secret:x'), undefined);
  assert.equal(parseSecretArn('name'), undefined);
  assert.equal(secretNameFromArn('arn:aws:secretsmanager:us-east-1:1:secret:a-b-AbCdEf'), 'a-b');
  assert.equal(secretNameFromArn('arn:aws:secretsmanager:us-east-1:1:secret:ab'), undefined);
});

test('secretIdCandidates: name, full ARN, partial ARN', () => {
  assert.deepEqual(secretIdCandidates('my/secret'), [{ kind: 'name', name: 'my/secret' }]);
  const full = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret-AbC123';
  assert.deepEqual(secretIdCandidates(full), [
    { kind: 'arn', arn: full, partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
  ]);
  assert.deepEqual(secretIdCandidates('arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db'), [
    { kind: 'partial-arn', name: 'app/db', partition: 'aws', region: 'us-east-1', accountId: '123456789012' },
  ]);
});

test('a name like my-secret ends in - + 6 alphanumerics, so its partial ARN reads as a full ARN', () => {
  const id = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:my-secret';
  assert.equal(secretIdCandidates(id)[0].kind, 'arn');
});

test('names ending in -XXXXXX cannot be found by partial ARN; -XXXX and trailing - can', () => {
  const base = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:';
  assert.equal(secretIdCandidates(base + 'Name-a1b2c3')[0].kind, 'arn');
  assert.equal(secretIdCandidates(base + 'Name-a1b2')[0].kind, 'partial-arn');
  const trailing = secretIdCandidates(base + 'Name-a1b2c3-');
  assert.equal(trailing[0].kind, 'partial-arn');
  assert.equal(trailing[0].kind === 'partial-arn' && trailing[0].name, 'Name-a1b2c3-');
});

test('non-secret ARNs yield no candidates (→ not found)', () => {
  assert.deepEqual(secretIdCandidates('arn:aws:kms:us-east-1:123456789012:key/x'), []);
});
