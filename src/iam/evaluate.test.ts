import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessDeniedMessage, arnAccount, evaluate, evaluateTrust, type PolicyRef } from './evaluate.ts';
import { compilePolicyCached } from './policy-cache.ts';
import { ConditionContext } from './request-context.ts';
import { benchPolicyEvaluation } from './bench-eval.ts';
import type { PolicyKind, RequestPrincipal } from './policy-types.ts';

const A = '111122223333';
const S = `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-a1b2c3`;
const alice: RequestPrincipal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A };
const session: RequestPrincipal = { type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${A}:role/app`, accountId: A, tags: { Team: 'red' } };
const ref = (id: string, doc: object, kind: PolicyKind = 'identity'): PolicyRef => ({ id, policy: compilePolicyCached(JSON.stringify(doc), kind) });

const policy = ref('arn:aws:iam::111122223333:policy/p', {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
    { Sid: 'NoDelete', Effect: 'Deny', Action: 'secretsmanager:DeleteSecret', Resource: '*' },
    { Sid: 'AlsoRead', Effect: 'Allow', Action: 'secretsmanager:Get*', Resource: S },
  ],
});

test('matched statements carry policy id, Sid and index', () => {
  const r = evaluate({ principal: alice, action: 'secretsmanager:GetSecretValue', resource: S, identityPolicies: [policy] });
  assert.equal(r.decision, 'Allow');
  assert.deepEqual(r.matchedStatements, [
    { policyId: policy.id, policyType: 'identity-based', sid: 'Read', index: 0, effect: 'Allow' },
    { policyId: policy.id, policyType: 'identity-based', sid: 'AlsoRead', index: 2, effect: 'Allow' },
  ]);
  const d = evaluate({ principal: alice, action: 'secretsmanager:DeleteSecret', resource: S, identityPolicies: [policy] });
  assert.equal(d.decision, 'ExplicitDeny');
  assert.equal(d.deniedBy, 'identity-based');
  assert.deepEqual(d.matchedStatements.map((m) => m.sid), ['NoDelete']);
});

test('AccessDenied messages follow AWS wording', () => {
  const act = 'secretsmanager:GetSecretValue';
  assert.equal(
    accessDeniedMessage(alice.arn, act, S, { decision: 'ImplicitDeny', deniedBy: 'identity-based' }),
    `User: ${alice.arn} is not authorized to perform: ${act} on resource: ${S} because no identity-based policy allows the ${act} action`,
  );
  assert.equal(
    accessDeniedMessage(alice.arn, act, S, { decision: 'ExplicitDeny', deniedBy: 'resource-based' }),
    `User: ${alice.arn} is not authorized to perform: ${act} on resource: ${S} with an explicit deny in a resource-based policy`,
  );
  assert.match(accessDeniedMessage(alice.arn, act, S, { decision: 'ExplicitDeny', deniedBy: 'identity-based' }), /with an explicit deny in an identity-based policy$/);
  assert.match(accessDeniedMessage(alice.arn, act, S, { decision: 'ImplicitDeny', deniedBy: 'permissions boundary' }), /because no permissions boundary allows the secretsmanager:GetSecretValue action$/);
  assert.match(accessDeniedMessage(alice.arn, act, S, { decision: 'ImplicitDeny', deniedBy: 'session' }), /because no session policy allows/);
  assert.match(accessDeniedMessage(alice.arn, act, S, { decision: 'ImplicitDeny', deniedBy: 'service control' }), /because no service control policy allows/);
  assert.match(accessDeniedMessage(alice.arn, 'sts:AssumeRole', 'arn:aws:iam::1:role/r', { decision: 'ImplicitDeny', deniedBy: 'role trust' }), /because no role trust policy allows/);
  assert.match(accessDeniedMessage(alice.arn, 'sts:AssumeRole', 'arn:aws:iam::1:role/r', { decision: 'ExplicitDeny', deniedBy: 'role trust' }), /with an explicit deny in the role trust policy$/);
});

test('the context derives principal keys; explicit values win', () => {
  const ctx = ConditionContext.create(session, { 'aws:PrincipalType': 'Overridden' });
  assert.deepEqual(ctx.get('aws:principalarn')?.values, [session.roleArn]);
  assert.deepEqual(ctx.get('aws:principalaccount')?.values, [A]);
  assert.deepEqual(ctx.get('aws:principaltag/team')?.values, ['red']);
  assert.deepEqual(ctx.get('aws:principaltype')?.values, ['Overridden']);
  assert.deepEqual(ConditionContext.create(alice, {}).get('aws:username')?.values, ['alice']);
  assert.equal(ConditionContext.create(session, {}).get('aws:username'), undefined);
});

test('plain context values are normalised (and reused while the same object is passed)', () => {
  const cond = ref('c', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } } });
  const values = { 'AWS:SourceVPCE': 'vpce-1' };
  for (let i = 0; i < 2; i++) {
    assert.equal(evaluate({ principal: alice, action: 'secretsmanager:GetSecretValue', resource: S, context: values, identityPolicies: [cond] }).decision, 'Allow');
  }
  assert.equal(evaluate({ principal: alice, action: 'secretsmanager:GetSecretValue', resource: S, context: { 'aws:SourceVpce': 'vpce-2' }, identityPolicies: [cond] }).decision, 'ImplicitDeny');
});

test('resource account: from the ARN, overridable, else the caller\'s', () => {
  assert.equal(arnAccount(S), A);
  assert.equal(arnAccount('arn:aws:s3:::bucket'), undefined);
  assert.equal(arnAccount('*'), undefined);
  const allow = ref('a', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } });
  assert.equal(evaluate({ principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/k', identityPolicies: [allow] }).crossAccount, false);
  const r = evaluate({ principal: alice, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/k', resourceAccountId: '444455556666', identityPolicies: [allow] });
  assert.equal(r.crossAccount, true);
  assert.equal(r.decision, 'ImplicitDeny');
  assert.equal(r.deniedBy, 'resource-based');
});

test('evaluateTrust defaults to sts:AssumeRole on the role ARN', () => {
  const t = ref('trust', { Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' } }, 'trust');
  assert.equal(evaluateTrust({ principal: alice, roleArn: `arn:aws:iam::${A}:role/r`, trustPolicy: t }).decision, 'Allow');
  assert.equal(evaluateTrust({ principal: alice, roleArn: `arn:aws:iam::${A}:role/r`, trustPolicy: t, action: 'sts:TagSession' }).decision, 'ImplicitDeny');
});

test('the statement index is cached per action and stays correct', () => {
  const p = ref('x', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:Get*', Resource: '*' }, { Effect: 'Allow', NotAction: 'secretsmanager:Get*', Resource: S }] });
  const run = (action: string, resource = S) => evaluate({ principal: alice, action, resource, identityPolicies: [p] }).decision;
  assert.equal(run('secretsmanager:GetSecretValue', '*'), 'Allow');
  assert.equal(run('secretsmanager:PutSecretValue', '*'), 'ImplicitDeny');
  assert.equal(run('secretsmanager:PutSecretValue'), 'Allow');
  assert.equal(run('SECRETSMANAGER:PUTSECRETVALUE'), 'Allow');
});

test('benchPolicyEvaluation runs and reports a rate', () => {
  assert.ok(benchPolicyEvaluation(2000) > 0);
});
