import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyAuthorizer, globalConditionKeys } from './authorize.ts';
import { staticPolicySource, type PrincipalPolicies } from './policy-source.ts';
import { rootPrincipal, type Principal } from './principal.ts';
import type { AuthorizationRequest, RequestContext } from './request-context.ts';

const A = '111122223333';
const B = '444455556666';
const SECRET = `arn:aws:secretsmanager:us-east-1:${A}:secret:prod/db-AbCdEf`;
const OTHER = `arn:aws:secretsmanager:us-east-1:${A}:secret:dev/db-XyZ123`;
const B_SECRET = `arn:aws:secretsmanager:us-east-1:${B}:secret:shared-QwErTy`;

const alice: Principal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };
const bob: Principal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/bob`, accountId: A, userId: 'AIDABOB', userName: 'bob', accessKeyId: 'AKIABOB' };
const session: Principal = {
  type: 'AssumedRole', arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${A}:role/app`,
  accountId: A, userId: 'AROAAPP:s1', accessKeyId: 'ASIASESSION', sessionTags: { team: 'blue' },
};

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const readOnly = doc({ Effect: 'Allow', Action: ['secretsmanager:Describe*', 'secretsmanager:Get*', 'secretsmanager:List*'], Resource: '*' });

function context(principal: Principal, extra: Partial<RequestContext> = {}): RequestContext {
  return {
    requestId: 'r', service: 'secretsmanager', operation: 'X', region: 'us-east-1', principal,
    sourceIp: '10.0.0.7', secureTransport: false, userAgent: '', requestTime: new Date('2026-01-02T03:04:05.678Z'),
    isAllowed: async () => true, decide: async () => ({ allowed: true }), ...extra,
  };
}

const req = (action: string, resource: string, more: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({ action, resource, ...more });

function authorizer(policies: Record<string, PrincipalPolicies>) {
  const source = staticPolicySource(policies);
  return { source, authorize: policyAuthorizer(source) };
}

test('the root user may do everything in its own account, and its policies are never loaded', async () => {
  const { source, authorize } = authorizer({});
  const root = rootPrincipal(A, 'AKIAROOT');
  assert.equal((await authorize(context(root), req('secretsmanager:DeleteSecret', SECRET))).allowed, true);
  assert.equal((await authorize(context(root), req('iam:CreateUser', `arn:aws:iam::${A}:user/x`))).allowed, true);
  assert.equal(source.loads, 0);
});

test('an explicit deny in a resource policy applies to the root user too', async () => {
  const { authorize } = authorizer({});
  const root = rootPrincipal(A, 'AKIAROOT');
  const resourcePolicy = doc({ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
  const d = await authorize(context(root), req('secretsmanager:GetSecretValue', SECRET, { resourcePolicy }));
  assert.equal(d.allowed, false);
  assert.equal(d.message, `User: arn:aws:iam::${A}:root is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} with an explicit deny in a resource-based policy`);
});

test('the root user of another account needs the resource policy', async () => {
  const { authorize } = authorizer({});
  const rootB = rootPrincipal(B, 'AKIAROOTB');
  const denied = await authorize(context(rootB), req('secretsmanager:GetSecretValue', SECRET));
  assert.equal(denied.allowed, false);
  assert.match(denied.message!, /because no resource-based policy allows the secretsmanager:GetSecretValue action$/);
  const resourcePolicy = doc({ Effect: 'Allow', Principal: { AWS: B }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
  assert.equal((await authorize(context(rootB), req('secretsmanager:GetSecretValue', SECRET, { resourcePolicy }))).allowed, true);
});

test('Describe*, Get*, List* reads but does not write; the denial is AWS\'s text', async () => {
  const { authorize } = authorizer({ [alice.arn]: { identityPolicies: [{ id: 'inline:user/alice/ro', document: readOnly }] } });
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, true);
  assert.equal((await authorize(context(alice), req('secretsmanager:ListSecrets', '*'))).allowed, true);
  const d = await authorize(context(alice), req('secretsmanager:PutSecretValue', SECRET));
  assert.deepEqual({ allowed: d.allowed, message: d.message }, {
    allowed: false,
    message: `User: arn:aws:iam::${A}:user/alice is not authorized to perform: secretsmanager:PutSecretValue on resource: ${SECRET} because no identity-based policy allows the secretsmanager:PutSecretValue action`,
  });
});

test('an explicit deny in an identity policy wins over an allow', async () => {
  const { authorize } = authorizer({ [alice.arn]: { identityPolicies: [
    { id: 'ro', document: readOnly },
    { id: 'deny-prod', document: doc({ Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*' }) },
  ] } });
  const d = await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET));
  assert.equal(d.message, `User: arn:aws:iam::${A}:user/alice is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET} with an explicit deny in an identity-based policy`);
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', OTHER))).allowed, true);
});

test('a resource policy naming a user of the same account is enough on its own', async () => {
  const { authorize } = authorizer({});
  const resourcePolicy = doc({ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
  assert.equal((await authorize(context(bob), req('secretsmanager:GetSecretValue', SECRET, { resourcePolicy }))).allowed, true);
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET, { resourcePolicy }))).allowed, false);
});

test('cross-account needs both the identity policy and the resource policy', async () => {
  const { authorize } = authorizer({ [alice.arn]: { identityPolicies: [{ id: 'ro', document: readOnly }] } });
  const call = (resourcePolicy?: string) => authorize(context(alice), req('secretsmanager:GetSecretValue', B_SECRET, { resourcePolicy }));
  assert.match((await call()).message!, /because no resource-based policy allows/);
  const grant = doc({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
  assert.equal((await call(grant)).allowed, true);
  const { authorize: noIdentity } = authorizer({});
  const d = await noIdentity(context(alice), req('secretsmanager:GetSecretValue', B_SECRET, { resourcePolicy: grant }));
  assert.match(d.message!, /because no identity-based policy allows/);
});

test('resource tags, principal tags and session tags reach conditions', async () => {
  const byTag = doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } });
  const { authorize } = authorizer({
    [alice.arn]: { identityPolicies: [{ id: 'abac', document: byTag }], tags: { team: 'red' } },
    [session.accessKeyId]: { identityPolicies: [{ id: 'abac', document: byTag }], tags: { team: 'red' } },
  });
  const tagged = (team: string) => req('secretsmanager:GetSecretValue', SECRET, { conditions: { 'aws:ResourceTag/team': team } });
  assert.equal((await authorize(context(alice), tagged('red'))).allowed, true);
  assert.equal((await authorize(context(alice), tagged('blue'))).allowed, false);
  // The session tag overrides the role's own tag.
  assert.equal((await authorize(context(session), tagged('blue'))).allowed, true);
  assert.equal((await authorize(context(session), tagged('red'))).allowed, false);
});

test('a permissions boundary limits, a session policy limits, and each is named in the denial', async () => {
  const { authorize } = authorizer({
    [alice.arn]: { identityPolicies: [{ id: 'all', document: doc({ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }) }], permissionsBoundary: { id: 'b', document: readOnly } },
    [session.accessKeyId]: { identityPolicies: [{ id: 'all', document: doc({ Effect: 'Allow', Action: '*', Resource: '*' }) }], sessionPolicies: [{ id: 'session:inline', document: readOnly }] },
  });
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, true);
  assert.match((await authorize(context(alice), req('secretsmanager:DeleteSecret', SECRET))).message!, /because no permissions boundary allows the secretsmanager:DeleteSecret action$/);
  assert.equal((await authorize(context(session), req('secretsmanager:DescribeSecret', SECRET))).allowed, true);
  assert.match((await authorize(context(session), req('secretsmanager:DeleteSecret', SECRET))).message!, /because no session policy allows the secretsmanager:DeleteSecret action$/);
});

test('aws:PrincipalArn of a session is its role; aws:username is the user\'s', async () => {
  const { authorize } = authorizer({
    [session.accessKeyId]: { identityPolicies: [{ id: 'p', document: doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/app` } } }) }] },
    [alice.arn]: { identityPolicies: [{ id: 'p', document: doc({ Effect: 'Allow', Action: '*', Resource: `arn:aws:secretsmanager:*:*:secret:\${aws:username}/*` }) }] },
  });
  assert.equal((await authorize(context(session), req('secretsmanager:GetSecretValue', SECRET))).allowed, true);
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', `arn:aws:secretsmanager:us-east-1:${A}:secret:alice/x-AbCdEf`))).allowed, true);
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, false);
});

test('global keys: source IP, transport, time, and MFA only for temporary credentials', () => {
  const long = globalConditionKeys(context(alice));
  assert.equal(long['aws:SourceIp'], '10.0.0.7');
  assert.equal(long['aws:SecureTransport'], false);
  assert.equal(long['aws:CurrentTime'], '2026-01-02T03:04:05Z');
  assert.equal(long['aws:EpochTime'], 1767323045);
  assert.equal('aws:MultiFactorAuthPresent' in long, false);
  assert.equal(globalConditionKeys(context(session))['aws:MultiFactorAuthPresent'], false);
  const mfa = globalConditionKeys(context({ ...session, mfaAuthenticatedAt: Date.parse('2026-01-02T03:00:00Z') }));
  assert.equal(mfa['aws:MultiFactorAuthPresent'], true);
  assert.equal(mfa['aws:MultiFactorAuthAge'], 245);
});

test('a Deny unless MFA (BoolIfExists) spares long-term keys and stops sessions without MFA', async () => {
  const requireMfa = doc(
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
  );
  const { authorize } = authorizer({ [session.accessKeyId]: { identityPolicies: [{ id: 'p', document: requireMfa }] }, [alice.arn]: { identityPolicies: [{ id: 'p', document: doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }) }] } });
  assert.equal((await authorize(context(session), req('secretsmanager:GetSecretValue', SECRET))).allowed, false);
  const withMfa = { ...session, accessKeyId: 'ASIASESSION', mfaAuthenticatedAt: Date.parse('2026-01-02T03:00:00Z') };
  assert.equal((await authorize(context(withMfa), req('secretsmanager:GetSecretValue', SECRET))).allowed, true);
  // Long-term key: the key is absent, so a plain Bool "true" does not match.
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, false);
});

test('a principal\'s policies are loaded once and reloaded after invalidate()', async () => {
  const policies: Record<string, PrincipalPolicies> = { [alice.arn]: { identityPolicies: [{ id: 'ro', document: readOnly }] } };
  const { source, authorize } = authorizer(policies);
  for (let i = 0; i < 5; i++) assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, true);
  assert.equal(source.loads, 1);
  policies[alice.arn] = { identityPolicies: [] };
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, true, 'still cached');
  authorize.invalidate();
  assert.equal((await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET))).allowed, false);
  assert.equal(source.loads, 2);
});

test('a load that raced an IAM write is not cached', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let loads = 0;
  const authorize = policyAuthorizer({ async policiesOf() { loads++; await gate; return { identityPolicies: [] }; } });
  const pending = authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET));
  authorize.invalidate();
  release();
  await pending;
  await authorize(context(alice), req('secretsmanager:GetSecretValue', SECRET));
  assert.equal(loads, 2);
});

test('VersionStage as the label set of the version read: the seed\'s ForAnyValue example', async () => {
  const seed = doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:*:*:secret:prod*', Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': 'AWSCURRENT' } } });
  const { authorize } = authorizer({ [alice.arn]: { identityPolicies: [{ id: 'p', document: seed }] } });
  const at = (labels: string[]) => req('secretsmanager:GetSecretValue', SECRET, { conditions: { 'secretsmanager:VersionStage': labels } });
  assert.equal((await authorize(context(alice), at(['AWSCURRENT', 'blue']))).allowed, true);
  assert.equal((await authorize(context(alice), at(['AWSPREVIOUS']))).allowed, false);
});

test('a stored resource policy that is not valid (a {"Policy": …} wrapper) grants nothing and does not throw', async () => {
  const { authorize } = authorizer({});
  const wrapped = JSON.stringify({ Policy: JSON.parse(doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' })) });
  const d = await authorize(context(bob), req('secretsmanager:GetSecretValue', SECRET, { resourcePolicy: wrapped }));
  assert.equal(d.allowed, false);
  assert.match(d.message!, /because no identity-based policy allows/);
});
