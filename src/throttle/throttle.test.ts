import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveQuotas, parseRateOverride, Throttle } from './throttle.ts';

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
  const rateOf = (service: string, op: string) => groups.find((g) => g.service === service && g.operations !== '*' && g.operations.includes(op))?.rate;
  assert.equal(rateOf('secretsmanager', 'GetSecretValue'), 10_000);
  assert.equal(rateOf('secretsmanager', 'DescribeSecret'), 40_000);
  assert.equal(rateOf('secretsmanager', 'UpdateSecretVersionStage'), 50);
  assert.equal(rateOf('kms', 'Encrypt'), 7);
  assert.throws(() => parseRateOverride('GetSecretValue=1'), /SERVICE:OPERATION=RATE/);
  assert.throws(() => parseRateOverride('kms:Decrypt=0'), /more than 0/);
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
});
