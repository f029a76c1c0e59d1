import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { rotationRolePolicy, samePolicy, isInvokeStatement } from './policies.ts';
import { setupNames, templateOf, describeFunction } from './names.ts';

const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf';
const functionArn = 'arn:aws:lambda:us-east-1:123456789012:function:SecretsManager-prod-db-1a2b3c4d';
const masterSecretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/master-XyZ123';

/** The seed text of shared/seeds/001, when the checkout sits next to it. */
function seed001(): string | undefined {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');
  try {
    const file = readdirSync(dir).find((f) => f.startsWith('001_'));
    return file ? readFileSync(path.join(dir, file), 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

test('the single-user policy is the seed\'s text with the ARNs and account filled in', () => {
  const text = rotationRolePolicy({ secretArn, functionArn, accountId: '123456789012', customerManagedKey: false });
  const doc = JSON.parse(text);
  assert.equal(doc.Statement.length, 3);
  assert.equal(doc.Statement[0].Resource, secretArn);
  assert.deepEqual(doc.Statement[0].Condition, { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn, 'aws:SourceAccount': '123456789012' } });
  const seed = seed001();
  if (seed) {
    const unfilled = text.replace(JSON.stringify(secretArn), '"SecretARN"').replace(JSON.stringify(functionArn), '"LambdaRotationFunctionARN"').replace('"123456789012"', '"111122223333"');
    assert.ok(seed.includes(unfilled), 'verbatim in seed 001');
  }
});

test('alternating users: the master secret statement; customer managed key: the KMS statement last', () => {
  const text = rotationRolePolicy({ secretArn, functionArn, accountId: '123456789012', masterSecretArn, customerManagedKey: true });
  const doc = JSON.parse(text);
  assert.equal(doc.Statement.length, 5);
  assert.deepEqual(doc.Statement[1], { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: masterSecretArn });
  assert.deepEqual(doc.Statement[4], { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' });
  const seed = seed001();
  if (seed) {
    const kms = text.slice(text.lastIndexOf(',\n        {') + 2, text.lastIndexOf('\n    ]'));
    assert.ok(seed.includes(kms), 'the KMS statement verbatim');
  }
});

test('policies compare as JSON, URL-encoded or not', () => {
  const text = rotationRolePolicy({ secretArn, functionArn, accountId: '123456789012', customerManagedKey: false });
  assert.ok(samePolicy(encodeURIComponent(JSON.stringify(JSON.parse(text))), text));
  assert.ok(!samePolicy(text, rotationRolePolicy({ secretArn, functionArn, accountId: '123456789012', customerManagedKey: true })));
});

test('the invoke statement is recognised with AWS:SourceAccount and only it', () => {
  const s = { Sid: 'x', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: functionArn, Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' } } };
  assert.ok(isInvokeStatement(s, functionArn, '123456789012'));
  assert.ok(!isInvokeStatement({ ...s, Condition: { StringEquals: { 'AWS:SourceAccount': '999999999999' } } }, functionArn, '123456789012'));
  assert.ok(!isInvokeStatement({ ...s, Condition: undefined }, functionArn, '123456789012'));
});

test('names: per secret, within 64 characters, distinct when sanitizing would merge them', () => {
  assert.deepEqual(setupNames('app-db'), { functionName: 'SecretsManager-app-db', roleName: 'SecretsManager-app-db-Role', policyName: 'SecretsManagerRotation' });
  const a = setupNames('prod/db');
  const b = setupNames('prod-db');
  assert.notEqual(a.functionName, b.functionName);
  assert.match(a.functionName, /^SecretsManager-prod-db-[0-9a-f]{8}$/);
  const long = setupNames('x'.repeat(300));
  assert.ok(long.roleName.length <= 64 && long.functionName.length <= 64);
  assert.equal(templateOf(describeFunction('postgresql-single-user', secretArn)), 'postgresql-single-user');
  assert.equal(templateOf('something else'), undefined);
});
