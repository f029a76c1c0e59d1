import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextEntries, decisionSentence, policySourceArn, queryFromQuestion, questionFromQuery } from './simulate-call.ts';

test('the question travels in the hash query and back', () => {
  const q = { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:a/b-AbCdEf', principal: 'arn:aws:iam::111122223333:user/alice' };
  assert.deepEqual(questionFromQuery(queryFromQuestion(q)), q);
  assert.deepEqual(questionFromQuery('?action=iam%3AListUsers'), { action: 'iam:ListUsers', resource: '', principal: '' });
});

test('a role session is simulated as its role; users, groups and roles as themselves', () => {
  assert.equal(policySourceArn('arn:aws:sts::111122223333:assumed-role/app/session-1'), 'arn:aws:iam::111122223333:role/app');
  assert.equal(policySourceArn('arn:aws:iam::111122223333:user/alice'), 'arn:aws:iam::111122223333:user/alice');
  assert.equal(policySourceArn('arn:aws:iam::111122223333:group/ops'), 'arn:aws:iam::111122223333:group/ops');
});

test('each decision reads as a sentence', () => {
  const q = { action: 'iam:ListUsers', resource: '', principal: 'arn:aws:iam::111122223333:user/frank' };
  assert.match(decisionSentence(q, { EvalActionName: 'iam:ListUsers', EvalDecision: 'allowed' }), /^Allowed: .* may perform iam:ListUsers on \*\.$/);
  assert.match(decisionSentence(q, { EvalActionName: 'iam:ListUsers', EvalDecision: 'explicitDeny' }), /^Denied explicitly/);
  assert.match(decisionSentence(q, { EvalActionName: 'iam:ListUsers', EvalDecision: 'implicitDeny' }), /^Denied implicitly: no statement allows/);
});

test('context lines become the simulator\'s ContextEntries; several values make a list', () => {
  assert.deepEqual(contextEntries('aws:MultiFactorAuthPresent=true\n\n aws:TagKeys = a, b \n'), [
    { ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: ['true'], ContextKeyType: 'string' },
    { ContextKeyName: 'aws:TagKeys', ContextKeyValues: ['a', 'b'], ContextKeyType: 'stringList' },
  ]);
  assert.deepEqual(contextEntries(undefined), []);
  assert.throws(() => contextEntries('no-equals-sign'), /not key=value/);
  const q = { action: 'a:b', resource: '', principal: 'p', context: 'aws:SourceIp=203.0.113.7' };
  assert.deepEqual(questionFromQuery(queryFromQuestion(q)), q);
});
