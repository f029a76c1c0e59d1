import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from '../protocol/model.ts';
import { camelKey, redact } from './redact.ts';
import { userIdentity, usernameOf, isReadOnly } from './event.ts';

const sm = loadModel('secretsmanager-2017-10-17');
const kms = loadModel('kms-2014-11-01');
const lambda = loadModel('lambda-2015-03-31');
const iam = loadModel('iam-2010-05-08');

describe('redact', () => {
  it('drops members whose shape is sensitive, keeps the rest in camelCase', () => {
    const out = redact(sm, 'CreateSecretRequest', { Name: 'db', SecretString: 's3cret', Tags: [{ Key: 'team', Value: 'a' }], ClientRequestToken: 't' });
    assert.deepEqual(out, { name: 'db', tags: [{ key: 'team', value: 'a' }], clientRequestToken: 't' });
  });

  it('drops every blob, as a Buffer or as the base64 string of the wire', () => {
    assert.deepEqual(redact(kms, 'EncryptRequest', { KeyId: 'k', Plaintext: 'cGxhaW4=', EncryptionContext: { app: 'x' } }), { keyId: 'k', encryptionContext: { app: 'x' } });
    assert.deepEqual(redact(kms, 'GenerateDataKeyResponse', { KeyId: 'arn', Plaintext: Buffer.from('k'), CiphertextBlob: Buffer.from('c') }), { keyId: 'arn' });
  });

  it('drops a sensitive map whole (Lambda environment variables) and nested code', () => {
    const out = redact(lambda, 'CreateFunctionRequest', {
      FunctionName: 'f', Code: { ZipFile: 'UEsDBA==' }, Environment: { Variables: { TOKEN: 'v' } }, Timeout: 3,
    });
    assert.deepEqual(out, { functionName: 'f', code: {}, environment: {}, timeout: 3 });
  });

  it('without a model, still drops the listed names anywhere and every Buffer', () => {
    const out = redact(undefined, undefined, { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'x', SessionToken: 'y' }, Blob: new Uint8Array([1]), Nested: [{ password: 'p', ok: 1 }] });
    assert.deepEqual(out, { credentials: { accessKeyId: 'ASIA1' }, nested: [{ ok: 1 }] });
  });

  it('passwords in IAM calls, with or without the trait', () => {
    assert.deepEqual(redact(iam, 'ChangePasswordRequest', { OldPassword: 'a', NewPassword: 'b' }), {});
    assert.deepEqual(redact(iam, 'CreateLoginProfileRequest', { UserName: 'u', Password: 'p' }), { userName: 'u' });
  });

  it('leaves out members the model does not define', () => {
    assert.deepEqual(redact(sm, 'PutSecretValueRequest', { SecretId: 'db', SecretStrin: 'typo-value' }), { secretId: 'db' });
  });

  it('dates become CloudTrail timestamps', () => {
    assert.deepEqual(redact(undefined, undefined, { CreatedDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) }), { createdDate: '2024-01-02T03:04:05Z' });
  });

  it('camelKey writes keys as CloudTrail does', () => {
    assert.equal(camelKey('SecretId'), 'secretId');
    assert.equal(camelKey('ARN'), 'arn');
    assert.equal(camelKey('KMSKeyId'), 'kMSKeyId');
  });
});

describe('userIdentity', () => {
  it('an assumed-role session names its issuer, creation date, MFA and source identity', () => {
    const id = userIdentity({
      type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/app/s1', accountId: '111122223333', userId: 'AROAEXAMPLE:s1',
      accessKeyId: 'ASIAEXAMPLE', roleArn: 'arn:aws:iam::111122223333:role/app', issuedAt: Date.UTC(2024, 0, 1), sourceIdentity: 'alice',
    });
    assert.deepEqual(id, {
      type: 'AssumedRole', principalId: 'AROAEXAMPLE:s1', arn: 'arn:aws:sts::111122223333:assumed-role/app/s1', accountId: '111122223333', accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        attributes: { creationDate: '2024-01-01T00:00:00Z', mfaAuthenticated: 'false' },
        sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: 'arn:aws:iam::111122223333:role/app', accountId: '111122223333', userName: 'app' },
        sourceIdentity: 'alice',
      },
    });
  });

  it('root and a long-term IAM user key have no session context', () => {
    assert.deepEqual(userIdentity({ type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333', userId: '111122223333', accessKeyId: 'AKIA1' }), {
      type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333', accessKeyId: 'AKIA1',
    });
    assert.equal(usernameOf({ type: 'Root', arn: 'arn:aws:iam::1:root', accountId: '1', userId: '1', accessKeyId: 'AKIA1' }), 'root');
  });

  it('readOnly as CloudTrail marks reads and cryptographic calls', () => {
    for (const op of ['GetSecretValue', 'ListSecrets', 'DescribeKey', 'Decrypt', 'GenerateDataKey', 'LookupEvents', 'AssumeRole']) assert.equal(isReadOnly(op), true, op);
    for (const op of ['CreateSecret', 'PutSecretValue', 'DeleteSecret', 'RotateSecret', 'CreateAccessKey', 'Invoke']) assert.equal(isReadOnly(op), false, op);
  });
});

describe('secretNameOf', () => {
  it('takes the name out of a secret ARN, without the random suffix', async () => {
    const { secretNameOf } = await import('./resources.ts');
    assert.equal(secretNameOf('arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbC123'), 'prod/db');
    assert.equal(secretNameOf('arn:aws:secretsmanager:us-east-1:111122223333:secret:a:b-xyz-Q1w2E3'), 'a:b-xyz');
  });
});
