import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePolicy, lineColumn, parseFindingPath } from './diagnostics.ts';

const text = (doc: unknown) => JSON.stringify(doc, null, 2);

test('a valid identity policy has no errors', () => {
  const a = analyzePolicy(text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }), 'identity');
  assert.equal(a.valid, true);
  assert.deepEqual(a.diagnostics.filter((d) => d.severity === 'error'), []);
});

test('syntax errors carry the line and column where JSON broke', () => {
  const a = analyzePolicy('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}', 'identity');
  assert.equal(a.valid, false);
  assert.equal(a.document, undefined);
  const first = a.diagnostics[0];
  assert.equal(first.check, 'JSON_SYNTAX');
  assert.equal(first.line, 4);
  assert.equal(first.column, 24);
  assert.equal(first.message, 'Syntax error: a property name in double quotes was expected');
});

test('comments are refused, as IAM refuses them', () => {
  const a = analyzePolicy('{"Version": "2012-10-17", // no\n"Statement": []}', 'identity');
  assert.equal(a.valid, false);
  assert.match(a.diagnostics[0].message, /comments are not allowed/);
});

test('an unknown Effect points at the Effect element with AWS wording', () => {
  const source = text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Alow', Action: 's3:*', Resource: '*' }] });
  const a = analyzePolicy(source, 'identity');
  const d = a.diagnostics.find((x) => x.check === 'INVALID_EFFECT');
  assert.ok(d, JSON.stringify(a.diagnostics));
  assert.equal(d.path, 'Statement[1].Effect');
  assert.match(d.message, /^Invalid effect: Alow/);
  assert.equal(source.slice(d.offset, d.offset + d.length), '"Effect": "Alow"');
  assert.deepEqual({ line: d.line, column: d.column }, lineColumn(source, source.indexOf('"Effect": "Alow"')));
});

test('a missing Action points at the statement that lacks it', () => {
  const source = text({ Version: '2012-10-17', Statement: [{ Sid: 'NoAction', Effect: 'Allow', Resource: '*' }] });
  const a = analyzePolicy(source, 'identity');
  const d = a.diagnostics.find((x) => x.check === 'MISSING_ACTION');
  assert.ok(d);
  assert.match(d.message, /Missing required field Action/);
  assert.ok(source.slice(d.offset, d.offset + d.length).startsWith('{'), 'highlights the statement object');
  assert.ok(source.slice(d.offset, d.offset + d.length).includes('"NoAction"'));
});

test('the policy kind decides the grammar: a trust policy has no Resource, an identity policy no Principal', () => {
  const trust = analyzePolicy(text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }] }), 'trust');
  assert.ok(trust.diagnostics.some((d) => d.check === 'TRUST_RESOURCE' && d.message.startsWith('Has prohibited field Resource')));
  const identity = analyzePolicy(text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }), 'identity');
  assert.ok(identity.diagnostics.some((d) => d.check === 'PRINCIPAL_IN_IDENTITY_POLICY'));
});

test('a condition finding points into the condition block', () => {
  const source = text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:SourceAccount': '1' } } }] });
  const a = analyzePolicy(source, 'identity');
  const d = a.diagnostics.find((x) => x.severity === 'error');
  assert.ok(d, JSON.stringify(a.diagnostics));
  assert.ok(source.slice(d.offset, d.offset + d.length).includes('StringEqualz'), JSON.stringify(d));
});

test('warnings do not make a policy invalid', () => {
  const a = analyzePolicy(text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db' }] }), 'identity');
  assert.equal(a.valid, true);
  assert.ok(a.diagnostics.some((d) => d.severity === 'warning' && d.check === 'SECRET_ARN_WITHOUT_SUFFIX'));
});

test('finding paths parse into JSON locations', () => {
  assert.deepEqual(parseFindingPath('Statement[0].Condition.StringEquals["aws:SourceAccount"]'), ['Statement', 0, 'Condition', 'StringEquals', 'aws:SourceAccount']);
  assert.deepEqual(parseFindingPath('Statement.Effect'), ['Statement', 'Effect']);
  assert.deepEqual(parseFindingPath(''), []);
});

test('where the engine needs Node (BinaryEquals), a browser gets "could not check", not a verdict', () => {
  const source = text({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { BinaryEquals: { 'aws:SourceIp': 'QUJD' } } }] });
  const g = globalThis as { Buffer?: unknown };
  const saved = g.Buffer;
  delete g.Buffer;
  let a;
  try {
    a = analyzePolicy(source, 'identity');
  } finally {
    g.Buffer = saved;
  }
  assert.equal(a.valid, true);
  assert.deepEqual(a.diagnostics.map((d) => d.check), ['NOT_CHECKED']);
  assert.match(a.diagnostics[0].message, /the server checks it when you save/);
  // With Node's Buffer the same policy is checked normally.
  assert.equal(analyzePolicy(source, 'identity').diagnostics.some((d) => d.check === 'NOT_CHECKED'), false);
});
