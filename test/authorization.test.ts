/**
 * Enforcement end to end: IAM users made through the IAM API, policies attached through it,
 * and Secrets Manager (and IAM) calls by those users decided by the policy engine, with AWS's
 * AccessDenied messages. The engine's rules are unit-tested in src/iam; this file checks that
 * the hook feeds it the right principal, resource, policies and condition keys.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateUserCommand, PutUserPolicyCommand, TagUserCommand, type IAMClient } from '@aws-sdk/client-iam';
import type { Credentials, TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let iam: IAMClient;

useServer((s, client) => { server = s; sm = client; iam = iamClient(s); });

const doc = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

async function secret(name: string, tags?: Record<string, string>): Promise<string> {
  const out = await sm.send(new CreateSecretCommand({
    Name: name, SecretString: `value of ${name}`,
    Tags: tags && Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
  }));
  return out.ARN!;
}

/** A user with an access key and one inline policy; returns its ARN and a client signed as it. */
async function user(name: string, policy?: string): Promise<{ arn: string; credentials: Credentials; sm: SecretsManagerClient }> {
  const made = await userWithKey(iam, name);
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  return { arn: made.arn, credentials: made.credentials, sm: secretsManager(server, { credentials: made.credentials }) };
}

const denied = (arn: string, action: string, resource: string, why = `because no identity-based policy allows the ${action} action`) =>
  `User: ${arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;

describe('IAM users through the policy engine', () => {
  test('secretsmanager:Describe*, Get*, List* can read but not write; the denial is AWS\'s text', async () => {
    const arn = await secret('authz/read/db');
    const reader = await user('authz-reader', doc({
      Effect: 'Allow', Action: ['secretsmanager:Describe*', 'secretsmanager:Get*', 'secretsmanager:List*'], Resource: '*',
    }));
    assert.equal((await reader.sm.send(new GetSecretValueCommand({ SecretId: 'authz/read/db' }))).SecretString, 'value of authz/read/db');
    assert.equal((await reader.sm.send(new DescribeSecretCommand({ SecretId: arn }))).ARN, arn);
    assert.ok((await reader.sm.send(new ListSecretsCommand({}))).SecretList!.some((s) => s.ARN === arn));
    const err = await rejectsWith(reader.sm.send(new PutSecretValueCommand({ SecretId: 'authz/read/db', SecretString: 'x' })),
      'AccessDeniedException', denied(reader.arn, 'secretsmanager:PutSecretValue', arn));
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await rejectsWith(reader.sm.send(new CreateSecretCommand({ Name: 'authz/read/new', SecretString: 'x' })), 'AccessDeniedException',
      denied(reader.arn, 'secretsmanager:CreateSecret', `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:authz/read/new-??????`));
  });

  test('the AWS CLI sees the same AccessDeniedException', async () => {
    const arn = await secret('authz/cli/db');
    const nobody = await user('authz-nobody');
    const out = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', arn], { credentials: nobody.credentials });
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /AccessDeniedException/);
    assert.ok(out.stderr.includes(denied(nobody.arn, 'secretsmanager:GetSecretValue', arn)), out.stderr);
  });

  test('a `??????` grant matches the six-character suffix only', async () => {
    const exact = await secret('authz/six/app');
    const longer = await secret('authz/six/app-extra');
    const u = await user('authz-six', doc({
      Effect: 'Allow', Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:authz/six/app-??????`,
    }));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: exact }))).ARN, exact);
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: 'authz/six/app-extra' })), 'AccessDeniedException',
      denied(u.arn, 'secretsmanager:GetSecretValue', longer));
  });

  test('a tag condition admits one secret and not another', async () => {
    const blue = await secret('authz/tag/blue', { team: 'blue' });
    const red = await secret('authz/tag/red', { team: 'red' });
    const u = await user('authz-tags', doc({
      Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*',
      Condition: { StringEquals: { 'secretsmanager:ResourceTag/team': 'blue' } },
    }));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: blue }))).ARN, blue);
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: red })), 'AccessDeniedException', denied(u.arn, 'secretsmanager:GetSecretValue', red));
  });

  test('principal tags: a secret whose team tag equals the user\'s own (aws:PrincipalTag)', async () => {
    const mine = await secret('authz/abac/mine', { team: 'green' });
    const theirs = await secret('authz/abac/theirs', { team: 'amber' });
    const u = await user('authz-abac', doc({
      Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
    }));
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: mine })), 'AccessDeniedException');
    await iam.send(new TagUserCommand({ UserName: 'authz-abac', Tags: [{ Key: 'team', Value: 'green' }] }));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: mine }))).ARN, mine);
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: theirs })), 'AccessDeniedException');
  });

  test('an explicit deny wins over an allow', async () => {
    const open = await secret('authz/deny/open');
    const closed = await secret('authz/deny/closed');
    const u = await user('authz-deny', doc(
      { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
      { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: closed },
    ));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: open }))).ARN, open);
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: closed })), 'AccessDeniedException',
      denied(u.arn, 'secretsmanager:GetSecretValue', closed, 'with an explicit deny in an identity-based policy'));
  });

  test('a resource policy on a secret grants another user access', async () => {
    const shared = await secret('authz/rp/shared');
    const unshared = await secret('authz/rp/unshared');
    const guest = await user('authz-guest');
    await sm.send(new PutResourcePolicyCommand({
      SecretId: shared,
      ResourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: guest.arn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    }));
    assert.equal((await guest.sm.send(new GetSecretValueCommand({ SecretId: shared }))).ARN, shared);
    await rejectsWith(guest.sm.send(new GetSecretValueCommand({ SecretId: unshared })), 'AccessDeniedException',
      denied(guest.arn, 'secretsmanager:GetSecretValue', unshared));
    await rejectsWith(guest.sm.send(new DescribeSecretCommand({ SecretId: shared })), 'AccessDeniedException');
  });

  test('a resource-policy deny applies to the root user', async () => {
    const arn = await secret('authz/rp/root-deny');
    await sm.send(new PutResourcePolicyCommand({
      SecretId: arn,
      ResourcePolicy: doc({ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }),
    }));
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: arn })), 'AccessDeniedException',
      `User: arn:aws:iam::${server.accountId}:root is not authorized to perform: secretsmanager:GetSecretValue on resource: ${arn} with an explicit deny in a resource-based policy`);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: arn }))).ARN, arn);
  });

  test('VersionStage carries the labels of the version read: a condition denies a call relying on the default label', async () => {
    const arn = await secret('authz/stage/db');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second' }));
    const u = await user('authz-stage', doc(
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
      { Effect: 'Deny', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': 'AWSCURRENT' } } },
    ));
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: arn })), 'AccessDeniedException',
      denied(u.arn, 'secretsmanager:GetSecretValue', arn, 'with an explicit deny in an identity-based policy'));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))).SecretString, 'value of authz/stage/db');
  });

  test('seed 003: "only for the version that has the staging label AWSCURRENT attached"', async () => {
    // Quoted from shared/seeds/003: { "Policy": { "Version": "2012-10-17", "Statement": [ { "Effect": "Allow",
    // "Action": "secretsmanager:GetSecret", "Resource": "arn:aws:secretsmanager:*:*:secret:Prod*", "Condition":
    // { "ForAnyValue:StringEquals": { "secretsmanager:VersionStage": "AWSCURRENT" } } } ] } }
    // Without the wrapper and with the action the text means (GetSecret does not exist):
    const arn = await secret('ProdAuthzStage');
    await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'newer' }));
    const u = await user('authz-seed-stage', doc({
      Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: 'arn:aws:secretsmanager:*:*:secret:Prod*',
      Condition: { 'ForAnyValue:StringEquals': { 'secretsmanager:VersionStage': 'AWSCURRENT' } },
    }));
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString, 'newer');
    assert.equal((await u.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString, 'newer');
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' })), 'AccessDeniedException',
      denied(u.arn, 'secretsmanager:GetSecretValue', arn));
  });

  test('BatchGetSecretValue reports each secret the user may not read with AWS\'s message', async () => {
    const ok = await secret('authz/batch/ok', { team: 'blue' });
    const no = await secret('authz/batch/no', { team: 'red' });
    const u = await user('authz-batch', doc(
      { Effect: 'Allow', Action: 'secretsmanager:BatchGetSecretValue', Resource: '*' },
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } },
    ));
    const out = await u.sm.send(new BatchGetSecretValueCommand({ SecretIdList: [ok, no] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.ARN), [ok]);
    assert.deepEqual(out.Errors, [{ SecretId: no, ErrorCode: 'AccessDeniedException', Message: denied(u.arn, 'secretsmanager:GetSecretValue', no) }]);
  });

  test('an IAM write takes effect on the next request (the policy cache is dropped)', async () => {
    const arn = await secret('authz/cache/db');
    const u = await user('authz-cache', doc({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }));
    await u.sm.send(new GetSecretValueCommand({ SecretId: arn }));
    await rejectsWith(u.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'x' })), 'AccessDeniedException');
    await iam.send(new PutUserPolicyCommand({ UserName: 'authz-cache', PolicyName: 'write', PolicyDocument: doc({ Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: arn }) }));
    await u.sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'x' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'authz-cache', PolicyName: 'p', PolicyDocument: doc({ Effect: 'Deny', Action: '*', Resource: '*' }) }));
    await rejectsWith(u.sm.send(new GetSecretValueCommand({ SecretId: arn })), 'AccessDeniedException',
      denied(u.arn, 'secretsmanager:GetSecretValue', arn, 'with an explicit deny in an identity-based policy'));
  });

  test('IAM calls are authorized too, and denied as IAM\'s AccessDenied', async () => {
    const u = await user('authz-iam');
    const err = await rejectsWith(iamClient(server, u.credentials).send(new CreateUserCommand({ UserName: 'authz-made' })), 'AccessDenied',
      denied(u.arn, 'iam:CreateUser', `arn:aws:iam::${server.accountId}:user/authz-made`));
    assert.equal(err.$metadata?.httpStatusCode, 403);
  });
});
