import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveQuotas, parseRateOverride, Throttle } from './throttle.ts';
import type { AwsError } from '../errors.ts';

const call = (operation: string, accountId = '111122223333', service = 'secretsmanager') => ({ service, operation, region: 'us-east-1', principal: { accountId } });

test('operations of a combined quota share one bucket; a catch-all gives each operation its own', () => {
  let now = 0;
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [parseRateOverride('secretsmanager:PutSecretValue=2'), parseRateOverride('iam:*=1')] }, () => now);
  t.check(call('PutSecretValue'));
  t.check(call('UpdateSecret'));
  assert.throws(() => t.check(call('UpdateSecretVersionStage')), { code: 'ThrottlingException', message: 'Rate exceeded', jsonMessageMember: 'message' });
  t.check(call('PutSecretValue', '444455556666'));
  t.check(call('ListUsers', undefined, 'iam'));
  t.check(call('ListRoles', undefined, 'iam'));
  assert.throws(() => t.check(call('ListUsers', undefined, 'iam')), { code: 'Throttling' });
  now = 500;
  t.check(call('PutSecretValue'));
  assert.throws(() => t.check(call('PutSecretValue')));
});

test('defaults follow the published quotas; overrides replace a group\'s rate', () => {
  const groups = effectiveQuotas([parseRateOverride('kms:Decrypt=7')]);
  const rateOf = (service: string, op: string, list = groups) => list.find((g) => g.service === service && g.operations !== '*' && g.operations.includes(op))?.rate;
  assert.equal(rateOf('secretsmanager', 'GetSecretValue'), 10_000);
  assert.equal(rateOf('secretsmanager', 'DescribeSecret'), 40_000);
  assert.equal(rateOf('secretsmanager', 'UpdateSecretVersionStage'), 50);
  assert.equal(rateOf('kms', 'Encrypt'), 7);
  // An override is one rate everywhere: the group's regional defaults go with it.
  assert.equal(groups.find((g) => g.service === 'kms' && g.operations !== '*' && g.operations.includes('Encrypt'))?.regionRates, undefined);
  const defaults = effectiveQuotas([]);
  assert.equal(rateOf('kms', 'GenerateMac', defaults), 10_000);
  assert.equal(rateOf('kms', 'DescribeKey', defaults), 2_000);
  assert.equal(rateOf('kms', 'ListAliases', defaults), 500);
  assert.equal(rateOf('kms', 'UntagResource', defaults), undefined, 'UntagResource falls to the 5/s catch-all');
  assert.equal(rateOf('sts', 'GetCallerIdentity', defaults), 600);
  assert.equal(rateOf('lambda', 'GetPolicy', defaults), 15);
  assert.throws(() => parseRateOverride('GetSecretValue=1'), /SERVICE:OPERATION=RATE/);
  assert.throws(() => parseRateOverride('kms:Decrypt=0'), /more than 0/);
});

/** How many calls in a row a fresh bucket admits at one instant (burst 1 s: its rate). */
function admitted(t: Throttle, c: ReturnType<typeof call>, max = 200_000): number {
  for (let n = 0; n < max; n++) {
    try {
      t.check(c);
    } catch {
      return n;
    }
  }
  return max;
}

test('KMS symmetric operations share one rate that depends on the region, as AWS publishes it', () => {
  const kms = (op: string, region: string) => ({ ...call(op, undefined, 'kms'), region });
  assert.equal(admitted(new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0), kms('Decrypt', 'sa-east-1')), 10_000);
  assert.equal(admitted(new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0), kms('Decrypt', 'eu-west-2')), 20_000);
  assert.equal(admitted(new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0), kms('Decrypt', 'us-east-1')), 100_000);
  // Encrypt and GenerateMac draw on the bucket Decrypt emptied; DescribeKey has its own.
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0);
  assert.equal(admitted(t, kms('Encrypt', 'sa-east-1')), 10_000);
  assert.throws(() => t.check(kms('GenerateMac', 'sa-east-1')), { code: 'ThrottlingException', jsonMessageMember: 'message' });
  t.check(kms('DescribeKey', 'sa-east-1'));
  // A region string that names an Object.prototype member is just an unlisted region.
  assert.equal(admitted(new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0), kms('Decrypt', 'constructor')), 10_000);
});

test('Lambda: the control plane shares one 15/s bucket; GetFunction and GetPolicy have their own; the error carries Reason and Retry-After', () => {
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0);
  const lambda = (op: string) => call(op, undefined, 'lambda');
  for (let i = 0; i < 10; i++) t.check(lambda('ListFunctions'));
  for (let i = 0; i < 5; i++) t.check(lambda('CreateFunction'));
  assert.throws(() => t.check(lambda('ListTags')), (err: AwsError) => {
    assert.equal(err.code, 'TooManyRequestsException');
    assert.equal(err.status, 429);
    assert.deepEqual(err.members, { Reason: 'CallerRateLimitExceeded' });
    assert.deepEqual(err.headers, { 'retry-after': '1' });
    return true;
  });
  assert.equal(admitted(t, lambda('GetPolicy')), 15);
  // Overriding an operation of the shared catch-all sets the catch-all's rate: it is the group holding it.
  const low = new Throttle({ enabled: true, burstSeconds: 1, overrides: [parseRateOverride('lambda:ListFunctions=2')] }, () => 0);
  low.check(lambda('ListFunctions'));
  low.check(lambda('ListTags'));
  assert.throws(() => low.check(lambda('CreateFunction')), { code: 'TooManyRequestsException' });
  assert.equal(admitted(t, lambda('GetFunction')), 100);
});

test('Retry-After is the whole seconds until the bucket has a token again', () => {
  let now = 0;
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [parseRateOverride('lambda:*=0.25')] }, () => now);
  t.check(call('ListFunctions', undefined, 'lambda'));
  assert.throws(() => t.check(call('ListFunctions', undefined, 'lambda')), (err: AwsError) => err.headers?.['retry-after'] === '4');
  now = 3500;
  assert.throws(() => t.check(call('ListFunctions', undefined, 'lambda')), (err: AwsError) => err.headers?.['retry-after'] === '1');
});

test('STS: the signed operations share 600/s; IAM\'s buckets are the account\'s in every region', () => {
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => 0);
  assert.equal(admitted(t, call('GetCallerIdentity', undefined, 'sts')), 600);
  assert.throws(() => t.check(call('AssumeRole', undefined, 'sts')), { code: 'Throttling' });
  const iam = new Throttle({ enabled: true, burstSeconds: 1, overrides: [parseRateOverride('iam:*=2')] }, () => 0);
  iam.check(call('ListUsers', undefined, 'iam'));
  iam.check({ ...call('ListUsers', undefined, 'iam'), region: 'eu-west-1' });
  assert.throws(() => iam.check({ ...call('ListUsers', undefined, 'iam'), region: 'ap-south-1' }), { code: 'Throttling' });
});

test('disabled throttling never refuses', () => {
  const t = new Throttle({ enabled: false, burstSeconds: 1, overrides: [parseRateOverride('secretsmanager:*=1')] }, () => 0);
  for (let i = 0; i < 100; i++) t.check(call('GetSecretValue'));
});

test('buckets that refilled are dropped once there are many, so the map stays bounded', () => {
  let now = 0;
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [] }, () => now);
  const size = () => (t as unknown as { buckets: Map<string, unknown> }).buckets.size;
  for (let i = 0; i < 50_000; i++) t.check(call('CreateSecret', String(100_000_000_000 + i)));
  assert.equal(size(), 50_000);
  now = 2000;
  t.check(call('CreateSecret', '999999999999'));
  assert.equal(size(), 1);
});

test('every operation a default quota names is an operation of its service (a misspelt name would fall to the catch-all)', async () => {
  const { DEFAULT_QUOTAS } = await import('./quotas.ts');
  const { modelFor } = await import('../audit/setup.ts');
  for (const group of DEFAULT_QUOTAS) {
    if (group.operations === '*') continue;
    const model = modelFor(group.service);
    assert.ok(model, `a model for ${group.service}`);
    for (const op of group.operations) assert.ok(model.operations[op], `${group.service}:${op} is an operation of ${group.service}`);
  }
  // An operation named twice would silently take the first group's rate.
  const named = DEFAULT_QUOTAS.flatMap((g) => (g.operations === '*' ? [] : g.operations.map((op) => `${g.service}:${op}`)));
  assert.deepEqual(named.filter((n, i) => named.indexOf(n) !== i), []);
  assert.equal(new Set(DEFAULT_QUOTAS.filter((g) => g.operations === '*').map((g) => g.service)).size, DEFAULT_QUOTAS.filter((g) => g.operations === '*').length, 'one catch-all per service');
});
