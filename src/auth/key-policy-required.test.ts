/**
 * `resourcePolicyRequired`: a KMS key policy is the key's resource policy and must allow,
 * even in the key's own account — IAM policies count only where it delegates to the account.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyAuthorizer } from './authorize.ts';
import { staticPolicySource, type PrincipalPolicies } from './policy-source.ts';
import { rootPrincipal, type Principal } from './principal.ts';
import type { AuthorizationRequest, RequestContext } from './request-context.ts';
import { defaultKeyPolicy, secretsManagerKeyPolicy } from '../services/kms/key-policy.ts';

const A = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const alice: Principal = { type: 'IAMUser', arn: `arn:aws:iam::${A}:user/alice`, accountId: A, userId: 'AIDAALICE', userName: 'alice', accessKeyId: 'AKIAALICE' };

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const iamAllowsKms = doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });

function context(principal: Principal): RequestContext {
  return {
    requestId: 'r', service: 'kms', operation: 'Decrypt', region: 'us-east-1', principal,
    sourceIp: '10.0.0.7', secureTransport: false, userAgent: '', requestTime: new Date('2026-01-02T03:04:05Z'),
    isAllowed: async () => true, decide: async () => ({ allowed: true }),
  };
}

function authorize(policies: Record<string, PrincipalPolicies>, principal: Principal, request: AuthorizationRequest) {
  return policyAuthorizer(staticPolicySource(policies))(context(principal), request);
}

const decrypt = (keyPolicy: string, conditions?: AuthorizationRequest['conditions']): AuthorizationRequest => ({
  action: 'kms:Decrypt', resource: KEY, resourcePolicy: keyPolicy, resourcePolicyRequired: true, conditions,
});

const withIam = { [alice.arn]: { identityPolicies: [{ id: 'kms-all', document: iamAllowsKms }] } };

test('the default key policy delegates to the account: an IAM policy allowing kms:Decrypt is enough', async () => {
  assert.equal((await authorize(withIam, alice, decrypt(defaultKeyPolicy(A)))).allowed, true);
});

test('delegation without an IAM policy is an identity-based denial', async () => {
  const d = await authorize({}, alice, decrypt(defaultKeyPolicy(A)));
  assert.equal(d.allowed, false);
  assert.equal(d.message, `User: ${alice.arn} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`);
});

test('a key policy that neither names the caller nor delegates denies whatever IAM allows, with the resource-based message', async () => {
  const keyPolicy = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/bob` }, Action: 'kms:*', Resource: '*' });
  const d = await authorize(withIam, alice, decrypt(keyPolicy));
  assert.equal(d.allowed, false);
  assert.equal(d.message, `User: ${alice.arn} is not authorized to perform: kms:Decrypt on resource: ${KEY} because no resource-based policy allows the kms:Decrypt action`);
  // The same request on a resource whose policy is optional (a secret's) is allowed by IAM alone.
  assert.equal((await authorize(withIam, alice, { ...decrypt(keyPolicy), resourcePolicyRequired: false })).allowed, true);
});

test('a key policy naming the user allows without any IAM policy', async () => {
  const keyPolicy = doc({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:Decrypt', Resource: '*' });
  assert.equal((await authorize({}, alice, decrypt(keyPolicy))).allowed, true);
});

test('the account root needs the key policy too', async () => {
  const root = rootPrincipal(A, 'AKIAROOT');
  const keyPolicy = doc({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' });
  const d = await authorize({}, root, decrypt(keyPolicy));
  assert.equal(d.allowed, false);
  assert.match(d.message!, /because no resource-based policy allows the kms:Decrypt action$/);
  assert.equal((await authorize({}, root, decrypt(defaultKeyPolicy(A)))).allowed, true);
});

test('an explicit deny in the key policy wins over allows in both policies', async () => {
  const keyPolicy = doc(
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' },
    { Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'kms:Decrypt', Resource: '*' },
  );
  const d = await authorize(withIam, alice, decrypt(keyPolicy));
  assert.equal(d.allowed, false);
  assert.match(d.message!, /with an explicit deny in a resource-based policy$/);
});

test('the aws/secretsmanager policy allows only through Secrets Manager, for principals of the account', async () => {
  const policy = secretsManagerKeyPolicy(A, 'us-east-1');
  const via = { 'kms:CallerAccount': A, 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' };
  assert.equal((await authorize({}, alice, decrypt(policy, via))).allowed, true, 'through Secrets Manager, no IAM policy needed');
  const direct = await authorize(withIam, alice, decrypt(policy, { 'kms:CallerAccount': A }));
  assert.equal(direct.allowed, false, 'directly, even with kms:* in IAM');
  assert.match(direct.message!, /because no resource-based policy allows the kms:Decrypt action$/);
  const otherRegion = await authorize({}, alice, decrypt(policy, { ...via, 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' }));
  assert.equal(otherRegion.allowed, false);
  const describe = { ...decrypt(policy, { 'kms:CallerAccount': A }), action: 'kms:DescribeKey' };
  assert.equal((await authorize({}, rootPrincipal(A, 'AKIAROOT'), describe)).allowed, true, 'the account reads metadata directly');
});

test('kms:EncryptionContext conditions in a key policy see the request context', async () => {
  const keyPolicy = doc({
    Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:Decrypt', Resource: '*',
    Condition: { StringEquals: { 'kms:EncryptionContext:team': 'blue' } },
  });
  assert.equal((await authorize({}, alice, decrypt(keyPolicy, { 'kms:EncryptionContext:team': 'blue' }))).allowed, true);
  assert.equal((await authorize({}, alice, decrypt(keyPolicy, { 'kms:EncryptionContext:team': 'red' }))).allowed, false);
  assert.equal((await authorize({}, alice, decrypt(keyPolicy))).allowed, false);
});
