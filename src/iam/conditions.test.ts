import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileConditionBlock, conditionsHold, parseOperator } from './conditions.ts';
import { FindingSink } from './findings.ts';
import { ConditionContext } from './request-context.ts';
import type { ContextValues } from './policy-types.ts';

function holds(block: unknown, values: ContextValues, variables = true): boolean {
  const sink = new FindingSink();
  const compiled = compileConditionBlock(block, { path: 'Condition', variables, sink });
  assert.equal(sink.firstError(), undefined, JSON.stringify(sink.findings));
  return conditionsHold(compiled, ConditionContext.create(undefined, values));
}

function findings(block: unknown) {
  const sink = new FindingSink();
  compileConditionBlock(block, { path: 'Condition', variables: true, sink });
  return sink.findings;
}

test('operator names parse with qualifiers and IfExists', () => {
  assert.deepEqual(
    { ...parseOperator('ForAnyValue:StringNotLikeIfExists'), spec: parseOperator('ForAnyValue:StringNotLikeIfExists')?.spec.name },
    { spec: 'StringNotLike', qualifier: 'ForAnyValue', ifExists: true },
  );
  assert.equal(parseOperator('StringEqualz'), undefined);
  assert.equal(parseOperator('ForSomeValues:StringEquals'), undefined);
});

test('string operators', () => {
  assert.equal(holds({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'alice' }), true);
  assert.equal(holds({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'Alice' }), false);
  assert.equal(holds({ StringEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' }), true);
  assert.equal(holds({ StringNotEqualsIgnoreCase: { 'aws:username': 'ALICE' } }, { 'aws:username': 'alice' }), false);
  assert.equal(holds({ StringLike: { 'aws:username': 'al*' } }, { 'aws:username': 'alice' }), true);
  assert.equal(holds({ StringNotLike: { 'aws:username': ['al*', 'bo?'] } }, { 'aws:username': 'bob' }), false);
  assert.equal(holds({ StringNotLike: { 'aws:username': ['al*', 'bo?'] } }, { 'aws:username': 'carol' }), true);
});

test('condition keys are case-insensitive; values are not for StringEquals', () => {
  assert.equal(holds({ StringEquals: { 'AWS:ResourceTag/Team': 'red' } }, { 'aws:resourcetag/team': 'red' }), true);
  assert.equal(holds({ StringEquals: { 'aws:resourcetag/team': 'red' } }, { 'AWS:ResourceTag/TEAM': 'red' }), true);
});

test('absent keys: positive false, negated true, IfExists true, Null', () => {
  assert.equal(holds({ StringEquals: { 'aws:username': 'alice' } }, {}), false);
  assert.equal(holds({ StringNotEquals: { 'aws:username': 'alice' } }, {}), true);
  assert.equal(holds({ StringEqualsIfExists: { 'aws:username': 'alice' } }, {}), true);
  assert.equal(holds({ StringEqualsIfExists: { 'aws:username': 'alice' } }, { 'aws:username': 'bob' }), false);
  assert.equal(holds({ Null: { 'aws:username': 'true' } }, {}), true);
  assert.equal(holds({ Null: { 'aws:username': true } }, { 'aws:username': 'x' }), false);
  assert.equal(holds({ Null: { 'aws:username': 'false' } }, { 'aws:username': 'x' }), true);
});

test('numeric and date operators', () => {
  assert.equal(holds({ NumericLessThan: { 's:n': '10' } }, { 's:n': 9 }), true);
  assert.equal(holds({ NumericLessThan: { 's:n': '10' } }, { 's:n': '10' }), false);
  assert.equal(holds({ NumericLessThanEquals: { 's:n': 10 } }, { 's:n': '10' }), true);
  assert.equal(holds({ NumericGreaterThan: { 's:n': '1.5' } }, { 's:n': '2' }), true);
  assert.equal(holds({ NumericEquals: { 's:n': '10' } }, { 's:n': '10abc' }), false);
  assert.equal(holds({ NumericNotEquals: { 's:n': ['1', '2'] } }, { 's:n': '3' }), true);
  assert.equal(holds({ NumericNotEquals: { 's:n': ['1', '2'] } }, { 's:n': '2' }), false);
  assert.equal(holds({ DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-05-01T00:00:00Z' }), true);
  assert.equal(holds({ DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2024-05-01T00:00:00Z' }), false);
  // epoch seconds on either side
  assert.equal(holds({ DateLessThan: { 'aws:EpochTime': '1700000000' } }, { 'aws:EpochTime': 1600000000 }), true);
  assert.equal(holds({ DateEquals: { 'aws:CurrentTime': '1577836800' } }, { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }), true);
  assert.equal(holds({ DateGreaterThanEquals: { 'aws:TokenIssueTime': '2020-01-01' } }, { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' }), true);
});

test('Bool, BinaryEquals, IpAddress', () => {
  assert.equal(holds({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }), true);
  assert.equal(holds({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': 'false' }), false);
  assert.equal(holds({ BinaryEquals: { 's:b': 'QmluYXJ5' } }, { 's:b': 'QmluYXJ5' }), true);
  assert.equal(holds({ BinaryEquals: { 's:b': 'QmluYXJ5' } }, { 's:b': 'QmluYXJz' }), false);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.113.7' }), true);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { 'aws:SourceIp': '203.0.114.7' }), false);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '203.0.113.5' } }, { 'aws:SourceIp': '203.0.113.5' }), true);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }), true);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } }, { 'aws:SourceIp': '2001:db8:1234:5679::1' }), false);
  assert.equal(holds({ NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.168.0.0/16'] } }, { 'aws:SourceIp': '8.8.8.8' }), true);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:10.1.2.3' }), true);
  assert.equal(holds({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }, { 'aws:SourceIp': '2001:db8::1' }), false);
});

test('Arn operators match per segment, case-sensitively', () => {
  const lambda = 'arn:aws:lambda:us-east-1:111122223333:function:rotate';
  assert.equal(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:111122223333:function:*' } }, { 'aws:SourceArn': lambda }), true);
  assert.equal(holds({ ArnEquals: { 'aws:SourceArn': 'arn:aws:lambda:*:111122223333:function:*' } }, { 'aws:SourceArn': lambda }), true);
  assert.equal(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:111122223333:function:ROTATE' } }, { 'aws:SourceArn': lambda }), false);
  assert.equal(holds({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:lambda:*:444455556666:*' } }, { 'aws:SourceArn': lambda }), true);
  // StringLike's * crosses colons where ArnLike's does not
  assert.equal(holds({ StringLike: { 'aws:SourceArn': 'arn:aws:lambda:*:function:rotate' } }, { 'aws:SourceArn': lambda }), true);
  assert.equal(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:lambda:*:function:rotate' } }, { 'aws:SourceArn': lambda }), false);
});

test('set qualifiers', () => {
  const c = (op: string, v: ContextValues) => holds({ [op]: { 'aws:TagKeys': ['env', 'team'] } }, v);
  assert.equal(c('ForAllValues:StringEquals', { 'aws:TagKeys': ['env'] }), true);
  assert.equal(c('ForAllValues:StringEquals', { 'aws:TagKeys': ['env', 'cost'] }), false);
  assert.equal(c('ForAllValues:StringEquals', {}), true);
  assert.equal(c('ForAllValues:StringEquals', { 'aws:TagKeys': [] }), true);
  assert.equal(c('ForAnyValue:StringEquals', { 'aws:TagKeys': ['cost', 'env'] }), true);
  assert.equal(c('ForAnyValue:StringEquals', { 'aws:TagKeys': ['cost'] }), false);
  assert.equal(c('ForAnyValue:StringEquals', {}), false);
  assert.equal(c('ForAnyValue:StringEquals', { 'aws:TagKeys': [] }), false);
  assert.equal(c('ForAnyValue:StringEqualsIfExists', {}), true);
  // negated base operators apply per request value (MVEX)
  assert.equal(c('ForAllValues:StringNotEquals', { 'aws:TagKeys': ['cost'] }), true);
  assert.equal(c('ForAllValues:StringNotEquals', { 'aws:TagKeys': ['cost', 'env'] }), false);
  assert.equal(c('ForAnyValue:StringNotEquals', { 'aws:TagKeys': ['cost', 'env'] }), true);
  assert.equal(c('ForAnyValue:StringNotEquals', { 'aws:TagKeys': ['env'] }), false);
});

test('unqualified operator on a multivalued key does not match; on a label set any label decides', () => {
  assert.equal(holds({ StringEquals: { 'aws:TagKeys': 'env' } }, { 'aws:TagKeys': ['env'] }), false);
  assert.equal(holds({ StringEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } }, { 'secretsmanager:VersionStage': ['AWSPENDING', 'AWSCURRENT'] }), true);
  assert.equal(holds({ StringNotEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } }, { 'secretsmanager:VersionStage': ['AWSPENDING', 'AWSCURRENT'] }), false);
  assert.equal(holds({ StringNotEquals: { 'secretsmanager:VersionStage': 'AWSCURRENT' } }, { 'secretsmanager:VersionStage': ['AWSPENDING'] }), true);
});

test('operators AND, keys AND, values OR', () => {
  const block = { StringEquals: { 'aws:username': ['alice', 'bob'], 'aws:PrincipalAccount': '111122223333' }, Bool: { 'aws:SecureTransport': 'true' } };
  assert.equal(holds(block, { 'aws:username': 'bob', 'aws:PrincipalAccount': '111122223333', 'aws:SecureTransport': true }), true);
  assert.equal(holds(block, { 'aws:username': 'bob', 'aws:PrincipalAccount': '111122223333', 'aws:SecureTransport': false }), false);
  assert.equal(holds(block, { 'aws:username': 'carol', 'aws:PrincipalAccount': '111122223333', 'aws:SecureTransport': true }), false);
});

test('variables in condition values; unresolved: positive fails, negated matches', () => {
  const eq = { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } };
  assert.equal(holds(eq, { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'red' }), true);
  assert.equal(holds(eq, { 'aws:ResourceTag/team': 'red', 'aws:PrincipalTag/team': 'blue' }), false);
  assert.equal(holds(eq, { 'aws:ResourceTag/team': 'red' }), false);
  const ne = { StringNotEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } };
  assert.equal(holds(ne, { 'aws:ResourceTag/team': 'red' }), true);
  assert.equal(holds(eq, { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}', 'aws:PrincipalTag/team': 'red' }, false), true);
  const spaced = { StringEquals: { 'aws:ResourceTag/AccessProject': '${ aws:PrincipalTag/AccessProject }' } };
  assert.equal(holds(spaced, { 'aws:ResourceTag/AccessProject': 'p1', 'aws:PrincipalTag/AccessProject': 'p1' }), true);
});

test('validation findings', () => {
  assert.equal(findings({ StringEqualz: { 'aws:username': 'a' } })[0].check, 'UNKNOWN_OPERATOR');
  assert.equal(findings({ NullIfExists: { 'aws:username': 'true' } })[0].check, 'NULL_IF_EXISTS');
  assert.equal(findings({ NumericLessThan: { 's:n': 'ten' } })[0].check, 'CONDITION_VALUE_FORMAT');
  assert.equal(findings({ IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } })[0].check, 'CONDITION_VALUE_FORMAT');
  assert.equal(findings({ StringEquals: { 'aws:TagKeys': 'x' } })[0].check, 'MISSING_QUALIFIER');
  assert.equal(findings({ StringEquals: { 'aws:username': 'a*' } })[0].check, 'WILDCARD_WITHOUT_LIKE');
  assert.equal(findings({ 'ForAllValues:StringEquals': { 'aws:username': 'a' } })[0].check, 'FORALLVALUES_SINGLE_VALUED');
  assert.equal(findings({ StringEquals: { username: 'a' } })[0].check, 'CONDITION_KEY_FORMAT');
  assert.equal(findings({ 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': 'AWSCURRENT' } }).length, 0);
});
