/**
 * Key policies through the real JS SDK and the AWS CLI, evaluated as AWS evaluates them: the
 * key policy is required (IAM policies count only where it delegates to the account), a
 * user it names needs no IAM policy, a deny wins, the AWS managed key aws/secretsmanager is
 * not usable directly, condition keys (kms:EncryptionContext:…, kms:RequestAlias,
 * aws:ResourceTag/…) apply, and another account is let in only by the key policy. Also
 * GetKeyPolicy/PutKeyPolicy/ListKeyPolicies with AWS's MalformedPolicyDocument texts and the
 * lock-out safety check.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GetKeyPolicyCommand,
  ListKeyPoliciesCommand, PutKeyPolicyCommand, type KMSClient, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { kmsClient, otherAccount } from './helpers/kms.ts';

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const B = '210987654321';

describe('KMS key policies', () => {
  let server: TestServer;
  let kms: KMSClient;
  let iam: IAMClient;
  let alice: { arn: string; credentials: Credentials };
  let asAlice: KMSClient;
  let root: string;

  const keyWith = async (policy?: string, extra: { Tags?: { TagKey: string; TagValue: string }[] } = {}): Promise<KeyMetadata> =>
    (await kms.send(new CreateKeyCommand({ Policy: policy, ...extra }))).KeyMetadata!;
  /** Lets the account root keep administering the key (the lock-out check wants it) without delegating use. */
  const rootAdmin = () => ({ Sid: 'Admin', Effect: 'Allow', Principal: { AWS: root }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey', 'kms:DisableKey', 'kms:CreateAlias'], Resource: '*' });
  const denied = (action: string, arn: string, why: string) =>
    `User: ${alice.arn} is not authorized to perform: ${action} on resource: ${arn} ${why}`;

  before(async () => {
    server = await startServer();
    kms = kmsClient(server);
    iam = iamClient(server);
    root = `arn:aws:iam::${server.accountId}:root`;
    alice = await userWithKey(iam, 'alice');
    asAlice = kmsClient(server, alice.credentials);
  });
  after(() => server.destroy());

  const aliceMay = (document: string) => iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'kms', PolicyDocument: document }));

  test('a new key gets AWS\'s default policy; ListKeyPolicies names "default"', async () => {
    const key = await keyWith();
    const got = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
    assert.equal(got.Policy, `{\n  "Version" : "2012-10-17",\n  "Id" : "key-default-1",\n  "Statement" : [ {\n    "Sid" : "Enable IAM User Permissions",\n    "Effect" : "Allow",\n    "Principal" : {\n      "AWS" : "${root}"\n    },\n    "Action" : "kms:*",\n    "Resource" : "*"\n  } ]\n}`);
    const listed = await kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
    assert.deepEqual([listed.PolicyNames, listed.Truncated], [['default'], false]);
    await rejectsWith(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })), 'NotFoundException', 'No such policy exists');
  });

  test('PutKeyPolicy refuses malformed policies with KMS\'s texts and changes nothing', async () => {
    const key = await keyWith();
    const before = (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy;
    const cases: [string, string][] = [
      ['{"Version": "2012-10-17", "Statement": [', 'Syntax errors in policy.'],
      [doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'Policy contains a statement with no principal.'],
      [doc({ Effect: 'Allow', Principal: { AWS: 'nobody' }, Action: 'kms:*', Resource: '*' }), 'Policy contains a statement with one or more invalid principals.'],
      [doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:user/ghost` }, Action: 'kms:*', Resource: '*' }),
        'Policy contains a statement with one or more invalid principals.'],
    ];
    for (const [policy, message] of cases) {
      await rejectsWith(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: policy })), 'MalformedPolicyDocumentException', message);
    }
    assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, before);
  });

  test('the lock-out safety check refuses a policy that shuts the caller out, unless bypassed', async () => {
    const key = await keyWith();
    const onlyAlice = doc({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' });
    const lockout = 'The new key policy will not allow you to update the key policy in the future.';
    await rejectsWith(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: onlyAlice })), 'MalformedPolicyDocumentException', lockout);
    await rejectsWith(kms.send(new CreateKeyCommand({ Policy: onlyAlice })), 'MalformedPolicyDocumentException', lockout);
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: onlyAlice, BypassPolicyLockoutSafetyCheck: true }));
    // The root is now out, as AWS warns; alice (named) is in without any IAM policy.
    await rejectsWith(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })), 'AccessDeniedException',
      `User: ${root} is not authorized to perform: kms:GetKeyPolicy on resource: ${key.Arn} because no resource-based policy allows the kms:GetKeyPolicy action`);
    assert.equal((await asAlice.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, onlyAlice, 'a policy someone wrote comes back as written');
    const created = await kms.send(new CreateKeyCommand({ Policy: onlyAlice, BypassPolicyLockoutSafetyCheck: true }));
    assert.equal(created.KeyMetadata!.KeyState, 'Enabled');
  });

  test('the default policy delegates to IAM: a user needs an IAM policy, and then may', async () => {
    const key = await keyWith();
    await aliceMay(doc({ Effect: 'Deny', Action: 'kms:CreateKey', Resource: '*' }));
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      denied('kms:Encrypt', key.Arn!, 'because no identity-based policy allows the kms:Encrypt action'));
    await aliceMay(doc({ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: key.Arn }));
    const enc = await asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    assert.equal(Buffer.from((await asAlice.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(), 'x');
    await rejectsWith(asAlice.send(new CreateKeyCommand({})), 'AccessDeniedException',
      `User: ${alice.arn} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`);
  });

  test('without delegation an IAM policy alone is not enough; a key policy naming the user is enough alone', async () => {
    // The account is named for administration only: using the key is delegated to nobody.
    const adminOnly = await keyWith(doc(rootAdmin()));
    await aliceMay(doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: adminOnly.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      denied('kms:Encrypt', adminOnly.Arn!, 'because no resource-based policy allows the kms:Encrypt action'));
    assert.equal((await asAlice.send(new DescribeKeyCommand({ KeyId: adminOnly.KeyId }))).KeyMetadata!.KeyId, adminOnly.KeyId, 'what the account is named for, IAM decides');
    await aliceMay(doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }));
    const named = await keyWith(doc(rootAdmin(), { Sid: 'Alice', Effect: 'Allow', Principal: { AWS: alice.arn }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }));
    const enc = await asAlice.send(new EncryptCommand({ KeyId: named.KeyId, Plaintext: Buffer.from('named') }));
    assert.equal(Buffer.from((await asAlice.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(), 'named');
    // DisableKey is delegated to the account (rootAdmin), so alice's IAM policies decide it — and allow nothing.
    await rejectsWith(asAlice.send(new DisableKeyCommand({ KeyId: named.KeyId })), 'AccessDeniedException',
      denied('kms:DisableKey', named.Arn!, 'because no identity-based policy allows the kms:DisableKey action'));
    await rejectsWith(asAlice.send(new GenerateDataKeyCommand({ KeyId: named.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException',
      denied('kms:GenerateDataKey', named.Arn!, 'because no resource-based policy allows the kms:GenerateDataKey action'));
  });

  test('an explicit deny in the key policy wins over every allow', async () => {
    const key = await keyWith(doc(
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
      { Sid: 'NoDecrypt', Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'kms:Decrypt', Resource: '*' },
    ));
    await aliceMay(doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    const enc = await asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    await rejectsWith(asAlice.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), 'AccessDeniedException',
      denied('kms:Decrypt', key.Arn!, 'with an explicit deny in a resource-based policy'));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(), 'x', 'the root is not denied');
  });

  test('the AWS managed key aws/secretsmanager serves Secrets Manager but is not usable directly', async () => {
    const sm = secretsManager(server);
    await sm.send(new CreateSecretCommand({ Name: 'kms/managed', SecretString: 'through secrets manager' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'kms/managed' }))).SecretString, 'through secrets manager');
    const managed = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }))).KeyMetadata!;
    const policy = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: managed.KeyId }))).Policy!);
    assert.equal(policy.Id, 'auto-secretsmanager-2');
    assert.deepEqual(policy.Statement[0].Condition, { StringEquals: { 'kms:CallerAccount': server.accountId, 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } });
    await rejectsWith(kms.send(new EncryptCommand({ KeyId: 'alias/aws/secretsmanager', Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      `User: ${root} is not authorized to perform: kms:Encrypt on resource: ${managed.Arn} because no resource-based policy allows the kms:Encrypt action`);
    await aliceMay(doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: managed.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      denied('kms:Encrypt', managed.Arn!, 'because no resource-based policy allows the kms:Encrypt action'));
    assert.equal((await asAlice.send(new DescribeKeyCommand({ KeyId: managed.KeyId }))).KeyMetadata!.KeyManager, 'AWS', 'metadata is readable with IAM permission');
  });

  test('condition keys: kms:EncryptionContext:…, kms:RequestAlias and aws:ResourceTag/…', async () => {
    const key = await keyWith(doc(rootAdmin(), {
      Sid: 'TenantA', Effect: 'Allow', Principal: { AWS: alice.arn }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } },
    }, {
      Sid: 'ByAlias', Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:GenerateDataKey', Resource: '*',
      Condition: { StringEquals: { 'kms:RequestAlias': 'alias/conditions' } },
    }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/conditions', TargetKeyId: key.KeyId }));
    await aliceMay(doc({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }));
    await asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'a' } }));
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'b' } })), 'AccessDeniedException');
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException');
    await asAlice.send(new GenerateDataKeyCommand({ KeyId: 'alias/conditions', KeySpec: 'AES_256' }));
    await rejectsWith(asAlice.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException');

    const blue = await keyWith(undefined, { Tags: [{ TagKey: 'team', TagValue: 'blue' }] });
    const red = await keyWith(undefined, { Tags: [{ TagKey: 'team', TagValue: 'red' }] });
    await aliceMay(doc({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }));
    await asAlice.send(new EncryptCommand({ KeyId: blue.KeyId, Plaintext: Buffer.from('x') }));
    await rejectsWith(asAlice.send(new EncryptCommand({ KeyId: red.KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      denied('kms:Encrypt', red.Arn!, 'because no identity-based policy allows the kms:Encrypt action'));
  });

  test('another account uses a key only by its ARN and only where the key policy lets it in', async () => {
    const bRoot = await otherAccount(server, B);
    const asB = kmsClient(server, bRoot);
    const closed = await keyWith();
    const shared = await keyWith(doc(
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' },
      { Sid: 'PartnerUse', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
    ));
    const enc = await asB.send(new EncryptCommand({ KeyId: shared.Arn, Plaintext: Buffer.from('across') }));
    assert.equal(enc.KeyId, shared.Arn);
    assert.equal(Buffer.from((await asB.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString(), 'across');
    await rejectsWith(asB.send(new EncryptCommand({ KeyId: closed.Arn, Plaintext: Buffer.from('x') })), 'AccessDeniedException',
      `User: arn:aws:iam::${B}:root is not authorized to perform: kms:Encrypt on resource: ${closed.Arn} because no resource-based policy allows the kms:Encrypt action`);
    // By bare key id the key is looked for in the caller's own account.
    await rejectsWith(asB.send(new EncryptCommand({ KeyId: shared.KeyId, Plaintext: Buffer.from('x') })), 'NotFoundException',
      `Key 'arn:aws:kms:us-east-1:${B}:key/${shared.KeyId}' does not exist`);
    // Operations AWS does not allow across accounts do not find it.
    await rejectsWith(asB.send(new DisableKeyCommand({ KeyId: shared.Arn })), 'NotFoundException', `Key '${shared.Arn}' does not exist`);
  });

  test('the AWS CLI reads and writes a key policy', async () => {
    const key = await keyWith();
    const policy = doc({ Sid: 'Account', Effect: 'Allow', Principal: { AWS: root }, Action: 'kms:*', Resource: '*' });
    const put = await awsCli(server, ['kms', 'put-key-policy', '--key-id', key.KeyId!, '--policy-name', 'default', '--policy', policy]);
    assert.equal(put.code, 0, put.stderr);
    const got = await awsCli(server, ['kms', 'get-key-policy', '--key-id', key.KeyId!, '--policy-name', 'default']);
    assert.equal(got.json.Policy, policy);
    const bad = await awsCli(server, ['kms', 'put-key-policy', '--key-id', key.KeyId!, '--policy-name', 'default', '--policy', doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /MalformedPolicyDocumentException\) when calling the PutKeyPolicy operation: Policy contains a statement with no principal\./);
  });
});
