import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as seeds from '../../../src/iam/seed-examples.ts';
import managed from '../../../src/services/iam/data/aws-managed-policies.json' with { type: 'json' };
import { fromDocument, toDocument, newStatement, statementService, formatDocument, type VisualPolicy } from './visual-model.ts';

function visual(doc: unknown): VisualPolicy {
  const r = fromDocument(doc);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.policy;
}

test('every seed policy and AWS managed policy round-trips unchanged, key order included', () => {
  const docs: unknown[] = [];
  for (const quoted of Object.values(seeds)) {
    if (typeof quoted !== 'string') continue;
    try { docs.push(JSON.parse(quoted)); } catch { /* fragments of a statement, not whole documents */ }
  }
  for (const p of (managed as { policies: { document: unknown }[] }).policies) docs.push(p.document);
  assert.ok(docs.length >= 10, `only ${docs.length} documents`);
  for (const doc of docs) {
    const back = toDocument(visual(doc));
    assert.equal(JSON.stringify(back), JSON.stringify(doc));
  }
});

test('single values stay single, typed condition values keep their type, unknown elements ride along', () => {
  const doc = {
    Id: 'x', Version: '2012-10-17',
    Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: ['arn:aws:iam::*:role/a'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': false }, NumericLessThan: { 'aws:MultiFactorAuthAge': [3600] } }, Future: { a: 1 } },
  };
  const v = visual(doc);
  assert.equal(v.singleStatement, true);
  assert.equal(v.statements[0].actionElement, 'NotAction');
  assert.deepEqual(v.statements[0].conditions.map((c) => c.values), [[false], [3600]]);
  assert.deepEqual(toDocument(v), doc);
});

test('an edit in the visual model shows in the JSON in AWS order', () => {
  const v = visual({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] });
  const st = v.statements[0];
  st.actions = { values: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], single: true };
  st.sid = 'ReadSecrets';
  st.conditions.push({ operator: 'StringEquals', key: 'secretsmanager:VersionStage', values: ['AWSCURRENT'], single: true });
  assert.equal(formatDocument(toDocument(v)), formatDocument({
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: '*', Condition: { StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } } }],
  }));
  st.conditions = [];
  assert.equal('Condition' in (toDocument(v).Statement as Record<string, unknown>[])[0], false);
});

test('new statements fit the policy kind', () => {
  const trust = toDocument({ statements: [newStatement('trust')], singleStatement: false, top: [['Version', '2012-10-17']] });
  assert.deepEqual(Object.keys((trust.Statement as Record<string, unknown>[])[0]), ['Effect', 'Principal', 'Action']);
  const identity = toDocument({ statements: [newStatement('identity')], singleStatement: false, top: [] });
  assert.deepEqual(Object.keys((identity.Statement as Record<string, unknown>[])[0]), ['Effect', 'Action', 'Resource']);
});

test('documents the visual view cannot show are refused with a reason, never reshaped', () => {
  for (const [doc, reason] of [
    [[], /not a JSON object/],
    [{ Statement: 'x' }, /neither an object nor a list/],
    [{ Statement: [{ Effect: 'Allow', Action: ['a:b', 3] }] }, /Statement\[0\]\.Action/],
    [{ Statement: [{ Effect: 'Allow', Condition: { StringEquals: { k: { nested: 1 } } } }] }, /Condition/],
  ] as const) {
    const r = fromDocument(doc);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
});

test('a statement belongs to a service when all its actions share a prefix', () => {
  const v = visual({ Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'KMS:Encrypt'], Resource: '*' }, { Effect: 'Allow', Action: ['kms:Decrypt', 'iam:GetUser'], Resource: '*' }, { Effect: 'Allow', Action: '*', Resource: '*' }] });
  assert.deepEqual(v.statements.map(statementService), ['kms', '', '*']);
});
