import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyUseRequest } from './key-access.ts';
import type { KmsKey } from './key-store.ts';

const key: KmsKey = {
  keyId: 'k1', arn: 'arn:aws:kms:us-east-1:111122223333:key/k1', accountId: '111122223333', region: 'us-east-1',
  keyManager: 'CUSTOMER', keyState: 'Enabled', currentMaterial: 1, policy: '{"Statement":[]}', description: '',
  keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS', createdAt: 0, rotationEnabled: false,
  aliases: ['alias/app'], tags: { team: 'blue' },
};

test('a key use is authorized on the key ARN with the key policy required and the kms condition keys', () => {
  const request = keyUseRequest(key, 'kms:Decrypt', {
    callerAccount: '444455556666', viaService: 'secretsmanager.us-east-1.amazonaws.com',
    encryptionContext: { SecretARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x', SecretVersionId: 'v1' },
  });
  assert.equal(request.action, 'kms:Decrypt');
  assert.equal(request.resource, key.arn);
  assert.equal(request.resourcePolicy, key.policy);
  assert.equal(request.resourcePolicyRequired, true);
  assert.equal(request.resourceAccountId, '111122223333');
  assert.deepEqual(request.conditions, {
    'kms:CallerAccount': '444455556666',
    'kms:KeySpec': 'SYMMETRIC_DEFAULT',
    'kms:KeyUsage': 'ENCRYPT_DECRYPT',
    'kms:KeyOrigin': 'AWS_KMS',
    'kms:MultiRegion': false,
    'kms:ResourceAliases': ['alias/app'],
    'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
    'aws:ViaAWSService': true,
    'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT',
    'kms:EncryptionContextKeys': ['SecretARN', 'SecretVersionId'],
    'kms:EncryptionContext:SecretARN': 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x',
    'kms:EncryptionContext:SecretVersionId': 'v1',
    'aws:ResourceTag/team': 'blue',
  });
});

test('management actions carry no encryption keys; a request alias is passed on', () => {
  const request = keyUseRequest(key, 'kms:DescribeKey', { callerAccount: '111122223333', requestAlias: 'alias/app', encryptionContext: { a: 'b' } });
  assert.equal(request.conditions!['kms:RequestAlias'], 'alias/app');
  assert.equal(request.conditions!['kms:EncryptionContextKeys'], undefined);
  assert.equal(request.conditions!['kms:EncryptionAlgorithm'], undefined);
  assert.equal(request.conditions!['kms:ViaService'], undefined);
});
