import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arnView, compileActionSet, compileArnPattern, compilePattern, matchActionSet, matchArn, matchPattern, wildcardMatch, type VariableSource } from './match.ts';

const vars = (values: Record<string, string>): VariableSource => ({ variable: (k) => values[k] });

test('* matches any run, ? exactly one character', () => {
  assert.equal(wildcardMatch('a*c', 'abbbc'), true);
  assert.equal(wildcardMatch('a*c', 'ac'), true);
  assert.equal(wildcardMatch('a?c', 'abc'), true);
  assert.equal(wildcardMatch('a?c', 'ac'), false);
  assert.equal(wildcardMatch('a?c', 'abbc'), false);
  assert.equal(wildcardMatch('*', ''), true);
  assert.equal(wildcardMatch('', ''), true);
  assert.equal(wildcardMatch('*a*b*', 'xxaxxbxx'), true);
  assert.equal(wildcardMatch('*a*b', 'xxaxxbxxc'), false);
  assert.equal(wildcardMatch('**x', 'abx'), true);
});

test('backtracking finds late matches', () => {
  assert.equal(wildcardMatch('*ab*ab', 'abababab'), true);
  assert.equal(wildcardMatch('a*?b', 'ab'), false);
  assert.equal(wildcardMatch('a*?b', 'axb'), true);
  assert.equal(wildcardMatch('name-??????', 'name-abc123'), true);
  assert.equal(wildcardMatch('name-??????', 'name-abc1234'), false);
});

test('ignoreCase lowercases pattern and subject', () => {
  assert.equal(wildcardMatch('SecretsManager:Get*', 'secretsmanager:GETSECRETVALUE', true), true);
  assert.equal(wildcardMatch('SecretsManager:Get*', 'secretsmanager:GETSECRETVALUE', false), false);
});

test('without wildcards * and ? are literal', () => {
  const p = compilePattern('a*', { wildcards: false, variables: false, ignoreCase: false });
  assert.equal(matchPattern(p, 'a*'), true);
  assert.equal(matchPattern(p, 'ab'), false);
});

test('variables substitute, defaults apply, escapes are literal, missing keys fail', () => {
  const p = compilePattern('home/${aws:username}/*', { wildcards: true, variables: true, ignoreCase: false });
  assert.equal(matchPattern(p, 'home/alice/x', 0, 12, vars({ 'aws:username': 'alice' })), true);
  assert.equal(matchPattern(p, 'home/bob/x', 0, 10, vars({ 'aws:username': 'alice' })), false);
  assert.equal(matchPattern(p, 'home//x', 0, 7, vars({})), false);
  const d = compilePattern("${aws:PrincipalTag/team, 'company-wide'}", { wildcards: false, variables: true, ignoreCase: false });
  assert.equal(matchPattern(d, 'company-wide', 0, 12, vars({})), true);
  assert.equal(matchPattern(d, 'payments', 0, 8, vars({ 'aws:principaltag/team': 'payments' })), true);
  const e = compilePattern('a${*}b${?}c${$}', { wildcards: true, variables: true, ignoreCase: false });
  assert.equal(matchPattern(e, 'a*b?c$'), true);
  assert.equal(matchPattern(e, 'aXbYc$'), false);
  // substituted text is literal, not a wildcard
  const s = compilePattern('${aws:username}', { wildcards: true, variables: true, ignoreCase: false });
  assert.equal(matchPattern(s, 'anything', 0, 8, vars({ 'aws:username': '*' })), false);
});

test('variables are literal when not enabled (2008-10-17)', () => {
  const p = compilePattern('${aws:username}', { wildcards: true, variables: false, ignoreCase: false });
  assert.equal(matchPattern(p, '${aws:username}', 0, 15, vars({ 'aws:username': 'alice' })), true);
  assert.equal(matchPattern(p, 'alice', 0, 5, vars({ 'aws:username': 'alice' })), false);
});

test('ARN wildcards stay within a segment except in the resource part', () => {
  const p = compileArnPattern('arn:aws:secretsmanager:*:*:secret:Prod*', true);
  assert.equal(matchArn(p, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:Prod/db-a1b2c3'), true);
  assert.equal(matchArn(p, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:Dev-a1b2c3'), false);
  const region = compileArnPattern('arn:aws:secretsmanager:us-*:111122223333:secret:x', true);
  assert.equal(matchArn(region, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x'), true);
  // the region's * cannot swallow the colon into the account
  const swallow = compileArnPattern('arn:aws:secretsmanager:us-*:secret:x', true);
  assert.equal(matchArn(swallow, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x'), false);
  const short = compileArnPattern('arn:aws:secretsmanager:*', true);
  assert.equal(matchArn(short, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x'), true);
  assert.equal(matchArn(compileArnPattern('*', true), 'anything'), true);
  const colonInResource = compileArnPattern('arn:aws:secretsmanager:*:*:secret:*', true);
  assert.equal(matchArn(colonInResource, arnView('arn:aws:secretsmanager:us-east-1:1:secret:a:b:c')), true);
});

test('ARNs are case-sensitive, empty fields match only empty fields', () => {
  const p = compileArnPattern('arn:aws:secretsmanager:us-east-1:111122223333:secret:prod-??????', true);
  assert.equal(matchArn(p, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:PROD-a1b2c3'), false);
  const empty = compileArnPattern('arn:aws:secretsmanager:::secret:prod-??????', true);
  assert.equal(matchArn(empty, 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod-a1b2c3'), false);
});

test('non-ARN patterns are matched as whole strings', () => {
  const problems: { notArn?: boolean } = {};
  const p = compileArnPattern('SecretARN', true, problems);
  assert.equal(problems.notArn, true);
  assert.equal(matchArn(p, 'arn:aws:secretsmanager:us-east-1:1:secret:x'), false);
  assert.equal(matchArn(p, 'SecretARN'), true);
});

test('action sets: literals, wildcards, everything', () => {
  const set = compileActionSet(['secretsmanager:GetSecretValue', 'secretsmanager:List*', 'kms:?ecrypt']);
  assert.equal(matchActionSet(set, 'secretsmanager:getsecretvalue'), true);
  assert.equal(matchActionSet(set, 'secretsmanager:listsecrets'), true);
  assert.equal(matchActionSet(set, 'kms:decrypt'), true);
  assert.equal(matchActionSet(set, 'secretsmanager:putsecretvalue'), false);
  assert.equal(matchActionSet(compileActionSet(['*']), 'iam:createuser'), true);
});
