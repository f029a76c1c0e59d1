/**
 * AssumeRole's SourceIdentity, as the IAM User Guide describes it ("Monitor and control actions
 * taken with assumed roles"): setting it needs sts:SetSourceIdentity in the caller's policy and
 * the role's trust policy; it is kept on the session (stored with it), returned, present as
 * aws:SourceIdentity in the session's requests, carried to roles it assumes (role chaining,
 * where sts:SetSourceIdentity is needed on both sides again), and can never be changed. The
 * model's rules (2–64 characters of [\w+=,.@-], so never "aws:…") are ValidationError.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, PutRolePolicyCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { sessionRow } from './helpers/db-rows.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

function session(c: StsCredentials | undefined): Credentials {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } as Credentials;
}

const doc = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('sts:SourceIdentity', () => {
  let server: TestServer;
  let iam: IAMClient;
  let dev: { arn: string; credentials: Credentials };
  let frontArn: string;
  let criticalArn: string;
  let plainArn: string;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    await secretsManager(server).send(new CreateSecretCommand({ Name: 'si/critical', SecretString: 'only-for-alice' }));
    dev = await userWithKey(iam, 'si-dev');
    await iam.send(new PutUserPolicyCommand({
      UserName: 'si-dev', PolicyName: 'assume',
      PolicyDocument: doc({ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }),
    }));
    // front: the user may assume it and set a source identity.
    frontArn = (await iam.send(new CreateRoleCommand({
      RoleName: 'si-front',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: dev.arn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }),
    }))).Role!.Arn!;
    // critical: only front's sessions whose source identity is alice (the User Guide's CriticalRole_2).
    criticalArn = (await iam.send(new CreateRoleCommand({
      RoleName: 'si-critical',
      AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: frontArn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringEquals: { 'aws:SourceIdentity': 'alice' } } }),
    }))).Role!.Arn!;
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'si-front', PolicyName: 'chain-and-read',
      PolicyDocument: doc(
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: criticalArn },
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'alice' } } },
      ),
    }));
    // plain: trusts the user for sts:AssumeRole only, not sts:SetSourceIdentity.
    plainArn = (await iam.send(new CreateRoleCommand({
      RoleName: 'si-plain', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: dev.arn }, Action: 'sts:AssumeRole' }),
    }))).Role!.Arn!;
  });
  after(() => server?.destroy());

  test('set on AssumeRole: returned, stored with the session, and aws:SourceIdentity in the session\'s requests', async () => {
    const out = await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'a1', SourceIdentity: 'alice' }));
    assert.equal(out.SourceIdentity, 'alice');
    const row = await sessionRow(server, out.Credentials!.AccessKeyId!);
    assert.equal((JSON.parse(String(row!.principal)) as { sourceIdentity?: string }).sourceIdentity, 'alice');
    const read = await secretsManager(server, { credentials: session(out.Credentials) }).send(new GetSecretValueCommand({ SecretId: 'si/critical' }));
    assert.equal(read.SecretString, 'only-for-alice');

    const other = await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'b1', SourceIdentity: 'bob' }));
    await rejects(secretsManager(server, { credentials: session(other.Credentials) }).send(new GetSecretValueCommand({ SecretId: 'si/critical' })), 'AccessDeniedException');
    const none = await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'n1' }));
    assert.equal(none.SourceIdentity, undefined);
    await rejects(secretsManager(server, { credentials: session(none.Credentials) }).send(new GetSecretValueCommand({ SecretId: 'si/critical' })), 'AccessDeniedException');
  });

  test('role chaining carries it on, and it cannot be changed', async () => {
    const front = session((await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'c1', SourceIdentity: 'alice' }))).Credentials);
    const chained = await stsClient(server, front).send(new AssumeRoleCommand({ RoleArn: criticalArn, RoleSessionName: 'c2' }));
    assert.equal(chained.SourceIdentity, 'alice');
    const row = await sessionRow(server, chained.Credentials!.AccessKeyId!);
    assert.equal((JSON.parse(String(row!.principal)) as { sourceIdentity?: string }).sourceIdentity, 'alice');
    // Naming the same value again is fine; another one is denied.
    assert.equal((await stsClient(server, front).send(new AssumeRoleCommand({ RoleArn: criticalArn, RoleSessionName: 'c3', SourceIdentity: 'alice' }))).SourceIdentity, 'alice');
    await rejects(stsClient(server, front).send(new AssumeRoleCommand({ RoleArn: criticalArn, RoleSessionName: 'c4', SourceIdentity: 'mallory' })), 'AccessDenied',
      /is not authorized to perform: sts:SetSourceIdentity on resource: .*role\/si-critical/, 403);
    // A front session without a source identity does not meet critical's trust condition.
    const bare = session((await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'c5' }))).Credentials);
    await rejects(stsClient(server, bare).send(new AssumeRoleCommand({ RoleArn: criticalArn, RoleSessionName: 'c6' })), 'AccessDenied');
  });

  test('setting it needs sts:SetSourceIdentity in the trust policy; without SourceIdentity the role is assumable', async () => {
    await rejects(stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: plainArn, RoleSessionName: 'p1', SourceIdentity: 'alice' })), 'AccessDenied',
      `User: ${dev.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${plainArn}`, 403);
    assert.ok((await stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: plainArn, RoleSessionName: 'p2' }))).Credentials);
  });

  test('the model\'s rules: 2–64 characters of [\\w+=,.@-], so no "aws:" prefix', async () => {
    for (const bad of ['a', 'aws:alice', 'has space', 'x'.repeat(65)]) {
      await rejects(stsClient(server, dev.credentials).send(new AssumeRoleCommand({ RoleArn: frontArn, RoleSessionName: 'v1', SourceIdentity: bad })), 'ValidationError', undefined, 400);
    }
  });

  test('through the AWS CLI', async () => {
    const out = await awsCli(server, ['sts', 'assume-role', '--role-arn', frontArn, '--role-session-name', 'cli', '--source-identity', 'alice'], { credentials: dev.credentials });
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.SourceIdentity, 'alice');
  });
});
