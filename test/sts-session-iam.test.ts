/**
 * What GetSessionToken credentials may call, as the STS API reference says: "You cannot call
 * any IAM API operations unless MFA authentication information is included in the request",
 * and no STS operation but AssumeRole and GetCallerIdentity. AWS refuses such an IAM call with
 * 403 InvalidClientTokenId "The security token included in the request is invalid". With MFA
 * the session may call IAM; role sessions are not limited. Through @aws-sdk/client-iam,
 * client-sts and the AWS CLI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import {
  CreateRoleCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, GetUserCommand, ListUsersCommand,
  PutRolePolicyCommand, PutUserPolicyCommand, type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, stsClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

const STEP = 30_000;
const INVALID_TOKEN = 'The security token included in the request is invalid';

function session(c: StsCredentials | undefined): Credentials {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } as Credentials;
}

const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

describe('GetSessionToken sessions and IAM', () => {
  let server: TestServer;
  let iam: IAMClient;
  let alice: { arn: string; credentials: Credentials };
  let totp: TOTP;
  let serial: string;

  before(async () => {
    server = await startServer();
    iam = iamClient(server);
    alice = await userWithKey(iam, 'gst-alice');
    await iam.send(new PutUserPolicyCommand({ UserName: 'gst-alice', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'gst-alice-phone' }));
    serial = VirtualMFADevice!.SerialNumber!;
    totp = new TOTP({ secret: Secret.fromBase32(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('ascii')), algorithm: 'SHA1', digits: 6, period: 30 });
    const now = Date.now();
    await iam.send(new EnableMFADeviceCommand({
      UserName: 'gst-alice', SerialNumber: serial,
      AuthenticationCode1: totp.generate({ timestamp: now - 2 * STEP }), AuthenticationCode2: totp.generate({ timestamp: now - STEP }),
    }));
  });
  after(() => server?.destroy());

  test('without MFA: every IAM call is InvalidClientTokenId (403) and changes nothing; other services and STS\'s two work', async () => {
    assert.ok((await iamClient(server, alice.credentials).send(new ListUsersCommand({}))).Users, 'the long-term key may call IAM');
    const plain = session((await stsClient(server, alice.credentials).send(new GetSessionTokenCommand({}))).Credentials);
    const asSession = iamClient(server, plain);
    await rejects(asSession.send(new ListUsersCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);
    await rejects(asSession.send(new GetUserCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);
    await rejects(asSession.send(new CreateUserCommand({ UserName: 'gst-made-by-session' })), 'InvalidClientTokenId', INVALID_TOKEN, 403);
    await rejects(iam.send(new GetUserCommand({ UserName: 'gst-made-by-session' })), 'NoSuchEntityException');

    // Secrets Manager, GetCallerIdentity and AssumeRole still work.
    assert.ok((await secretsManager(server, { credentials: plain }).send(new ListSecretsCommand({}))).SecretList);
    assert.equal((await stsClient(server, plain).send(new GetCallerIdentityCommand({}))).Arn, alice.arn);
    await iam.send(new CreateRoleCommand({
      RoleName: 'gst-role',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }] }),
    }));
    const assumed = await stsClient(server, plain).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${server.accountId}:role/gst-role`, RoleSessionName: 'from-session' }));
    assert.ok(assumed.Credentials?.AccessKeyId?.startsWith('ASIA'));
    await rejects(stsClient(server, plain).send(new GetSessionTokenCommand({})), 'AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
  });

  test('the AWS CLI sees the same error', async () => {
    const plain = session((await stsClient(server, alice.credentials).send(new GetSessionTokenCommand({}))).Credentials);
    const env = { AWS_SESSION_TOKEN: (plain as Credentials & { sessionToken: string }).sessionToken };
    const out = await awsCli(server, ['iam', 'list-users'], { credentials: plain, env });
    assert.notEqual(out.code, 0);
    assert.match(out.stderr, /\(InvalidClientTokenId\) when calling the ListUsers operation: The security token included in the request is invalid/);
  });

  test('with MFA the session may call IAM', async () => {
    const code = totp.generate({ timestamp: Date.now() });
    const mfa = session((await stsClient(server, alice.credentials).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: code }))).Credentials);
    const asSession = iamClient(server, mfa);
    assert.ok((await asSession.send(new ListUsersCommand({}))).Users!.some((u) => u.UserName === 'gst-alice'));
    await asSession.send(new CreateUserCommand({ UserName: 'gst-made-with-mfa' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'gst-made-with-mfa' }))).User?.UserName, 'gst-made-with-mfa');
  });

  test('the root\'s GetSessionToken session is limited the same way; role sessions are not', async () => {
    const rootSession = session((await stsClient(server).send(new GetSessionTokenCommand({}))).Credentials);
    await rejects(iamClient(server, rootSession).send(new ListUsersCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);

    await iam.send(new CreateRoleCommand({
      RoleName: 'gst-admin',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' }] }),
    }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'gst-admin', PolicyName: 'all', PolicyDocument: ALLOW_ALL }));
    const role = session((await stsClient(server, alice.credentials).send(new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${server.accountId}:role/gst-admin`, RoleSessionName: 'admin',
    }))).Credentials);
    assert.ok((await iamClient(server, role).send(new ListUsersCommand({}))).Users);
  });
});
