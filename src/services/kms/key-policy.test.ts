import { test } from 'node:test';
import assert from 'node:assert/strict';
import { awsPolicyText, checkKeyPolicy, defaultKeyPolicy, INVALID_PRINCIPALS, NO_PRINCIPAL } from './key-policy.ts';

test('the default key policy is AWS\'s text, byte for byte (Jackson pretty printing)', () => {
  assert.equal(defaultKeyPolicy('111122223333'), [
    '{',
    '  "Version" : "2012-10-17",',
    '  "Id" : "key-default-1",',
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    '      "AWS" : "arn:aws:iam::111122223333:root"',
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n'));
  assert.deepEqual(JSON.parse(awsPolicyText({ a: [1, 'x', { b: true }] })), { a: [1, 'x', { b: true }] });
});

const none = async () => false;
const all = async () => true;
const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

async function rejects(text: string, message: string | RegExp, exists = none) {
  await assert.rejects(checkKeyPolicy(text, exists), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'MalformedPolicyDocumentException');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('KMS words principal problems its own way', async () => {
  await rejects(doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), NO_PRINCIPAL);
  await rejects(doc({ Effect: 'Allow', Principal: { AWS: 'not-an-arn' }, Action: 'kms:*', Resource: '*' }), INVALID_PRINCIPALS);
  await rejects(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/ghost' }, Action: 'kms:*', Resource: '*' }), INVALID_PRINCIPALS);
  await checkKeyPolicy(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/alice' }, Action: 'kms:*', Resource: '*' }), all);
});

test('accounts, "*" and service principals need no lookup; other grammar errors keep the policy language\'s text', async () => {
  await checkKeyPolicy(doc({ Effect: 'Allow', Principal: { AWS: ['111122223333', 'arn:aws:iam::444455556666:root', '*'] }, Action: 'kms:*', Resource: '*' }), none);
  await checkKeyPolicy(doc({ Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*' }), none);
  await rejects('{not json', 'Syntax errors in policy.');
  await rejects(doc({ Effect: 'Maybe', Principal: '*', Action: 'kms:*', Resource: '*' }), 'Invalid effect: Maybe');
});
