/**
 * STS temporary credentials end to end, through @aws-sdk/client-sts, the AWS CLI and
 * hand-signed requests: AssumeRole (root refused as AWS refuses it; trust policy with the
 * caller as principal; ExternalId; DurationSeconds limits and role chaining; session tags and
 * session policies), GetSessionToken, and the credentials themselves — ASIA key, stored only
 * sealed and hashed, usable on STS and Secrets Manager, refused when the token is missing,
 * tampered with or expired, with AWS's error on each protocol.
 *
 * Roles are written straight into the database (test/helpers/db-rows.ts) so these tests do
 * not depend on CreateRole; users, keys and user policies go through IAM's API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { expireSession, insertRole, sessionRow, sql, type InsertedRole } from './helpers/db-rows.ts';
import { rejectsWith as rejects } from './helpers/secrets.ts';

interface SessionCredentials extends Credentials {
  sessionToken?: string;
}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EXPIRED_TOKEN = 'The security token included in the request is expired';

function sts(server: TestServer, credentials: SessionCredentials = server.root): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

function iam(server: TestServer): IAMClient {
  return new IAMClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root, maxAttempts: 1 });
}

function session(c: StsCredentials | undefined): SessionCredentials {
  assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken);
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

const trustUser = (userArn: string, extra: Record<string, unknown> = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: userArn }, Action: 'sts:AssumeRole', ...extra }],
});

const SECRETS_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' }] };

describe('STS sessions', () => {
  let server: TestServer;
  let userArn: string;
  let user: Credentials;
  let app: InsertedRole;
  let n = 0;
  const name = (prefix: string) => `${prefix}-${++n}`;

  /** A role the test user may assume (trust names the user; user policy allows sts:AssumeRole on *). */
  const role = (trust: unknown, opts: { maxSessionDuration?: number; policies?: Record<string, unknown>; path?: string } = {}) =>
    insertRole(server, { name: name('role'), trustPolicy: trust, ...opts });

  before(async () => {
    server = await startServer();
    const client = iam(server);
    const created = await client.send(new CreateUserCommand({ UserName: 'alice' }));
    userArn = created.User!.Arn!;
    const key = await client.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    user = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    await client.send(new PutUserPolicyCommand({
      UserName: 'alice', PolicyName: 'assume',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' }] }),
    }));
    app = await insertRole(server, { name: 'app', trustPolicy: trustUser(userArn), policies: { secrets: SECRETS_ALL } });
  });
  after(() => server.destroy());

  test('the account root may not assume a role, as in AWS', async () => {
    await rejects(sts(server).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'root-try' })),
      'AccessDenied', 'Roles may not be assumed by root accounts.', 403);
    const cli = await awsCli(server, ['sts', 'assume-role', '--role-arn', app.arn, '--role-session-name', 'root-try']);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the AssumeRole operation: Roles may not be assumed by root accounts\./);
  });

  test('AssumeRole: ASIA key, 40-character secret, long opaque token, an hour by default, assumed-role user', async () => {
    const before = Date.now();
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'first' }));
    const c = out.Credentials!;
    assert.match(c.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(c.SecretAccessKey!.length, 40);
    assert.ok(c.SessionToken!.length >= 400, `token of ${c.SessionToken!.length} characters`);
    const expires = c.Expiration!.getTime();
    assert.ok(expires >= Math.floor(before / 1000) * 1000 + 3600_000 - 1000 && expires <= Date.now() + 3600_000, String(c.Expiration));
    assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${app.roleId}:first`, Arn: `arn:aws:sts::${server.accountId}:assumed-role/app/first` });
    assert.equal(out.PackedPolicySize, undefined);

    // Only a hash of the token and the sealed secret are stored.
    const row = await sessionRow(server, c.AccessKeyId!);
    assert.ok(row);
    assert.equal(row.session_token_hash, createHash('sha256').update(c.SessionToken!).digest('hex'));
    const sealed = Buffer.from(row.secret_sealed as Buffer);
    assert.equal(sealed.includes(Buffer.from(c.SecretAccessKey!)), false);
    assert.equal(JSON.stringify(row).includes(c.SessionToken!), false);
  });

  test('a role made with CreateRole is assumed, and GetRole reports its last use', async () => {
    const roleName = name('api-role');
    const created = await iam(server).send(new CreateRoleCommand({ RoleName: roleName, Path: '/svc/', AssumeRolePolicyDocument: JSON.stringify(trustUser(userArn)) }));
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: created.Role!.Arn!, RoleSessionName: 'api' }));
    // The assumed-role ARN carries no path.
    assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${server.accountId}:assumed-role/${roleName}/api`);
    assert.equal(out.AssumedRoleUser!.AssumedRoleId, `${created.Role!.RoleId}:api`);
    const got = await iam(server).send(new GetRoleCommand({ RoleName: roleName }));
    assert.equal(got.Role!.RoleLastUsed?.Region, 'us-east-1');
  });

  test('the session calls STS as the assumed role and Secrets Manager with the role\'s policy', async () => {
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'worker' }));
    const creds = session(out.Credentials);
    const who = await sts(server, creds).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${server.accountId}:assumed-role/app/worker`);
    assert.equal(who.UserId, `${app.roleId}:worker`);
    assert.equal(who.Account, server.accountId);

    const sm = secretsManager(server, { credentials: creds });
    const secretName = name('sts-session-secret');
    await sm.send(new CreateSecretCommand({ Name: secretName, SecretString: 'from-a-role' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: secretName }))).SecretString, 'from-a-role');
  });

  test('the AWS CLI assumes a role and uses the session through AWS_SESSION_TOKEN', async () => {
    const res = await awsCli(server, ['sts', 'assume-role', '--role-arn', app.arn, '--role-session-name', 'cli-session'], { credentials: user });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.json.Credentials.AccessKeyId, /^ASIA/);
    assert.equal(res.json.AssumedRoleUser.Arn, `arn:aws:sts::${server.accountId}:assumed-role/app/cli-session`);
    const c = res.json.Credentials;
    const who = await awsCli(server, ['sts', 'get-caller-identity'], {
      credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey },
      env: { AWS_SESSION_TOKEN: c.SessionToken },
    });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${server.accountId}:assumed-role/app/cli-session`);
  });

  test('a missing or tampered session token: InvalidClientTokenId on STS, UnrecognizedClientException on Secrets Manager', async () => {
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'tamper' }));
    const good = session(out.Credentials);
    const token = good.sessionToken!;
    const tampered = { ...good, sessionToken: `${token.slice(0, 100)}${token[100] === 'A' ? 'B' : 'A'}${token.slice(101)}` };
    const missing = { accessKeyId: good.accessKeyId, secretAccessKey: good.secretAccessKey };
    for (const creds of [tampered, missing]) {
      await rejects(sts(server, creds).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', INVALID_TOKEN, 403);
      await rejects(secretsManager(server, { credentials: creds }).send(new ListSecretsCommand({})), 'UnrecognizedClientException', INVALID_TOKEN, 400);
    }
    // A long-term key with a token attached is refused the same way.
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', credentials: { ...user, sessionToken: token } as Credentials });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'UnrecognizedClientException');
    // The good token still works.
    assert.ok((await sts(server, good).send(new GetCallerIdentityCommand({}))).Arn);
  });

  test('an expired session: ExpiredToken on STS (403), ExpiredTokenException on Secrets Manager (400)', async () => {
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'expiring', DurationSeconds: 900 }));
    const creds = session(out.Credentials);
    await expireSession(server, creds.accessKeyId);
    await rejects(sts(server, creds).send(new GetCallerIdentityCommand({})), 'ExpiredToken', EXPIRED_TOKEN, 403);
    await rejects(secretsManager(server, { credentials: creds }).send(new ListSecretsCommand({})), 'ExpiredTokenException', EXPIRED_TOKEN, 400);
    const raw = await signedRequest(server, { body: 'Action=GetCallerIdentity&Version=2011-06-15', service: 'sts', headers: { 'content-type': FORM }, credentials: creds as Credentials });
    assert.equal(raw.status, 403);
    assert.match(raw.body, /<Code>ExpiredToken<\/Code><Message>The security token included in the request is expired<\/Message>/);
  });

  test('a trust policy that does not name the caller, or a role that does not exist: AccessDenied naming caller, action and role', async () => {
    const other = await role(trustUser(`arn:aws:iam::${server.accountId}:user/bob`));
    const message = `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${other.arn}`;
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: other.arn, RoleSessionName: 's1' })), 'AccessDenied', message, 403);
    const ghost = `arn:aws:iam::${server.accountId}:role/no-such-role`;
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: ghost, RoleSessionName: 's1' })), 'AccessDenied',
      `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${ghost}`, 403);
    // The same role under another path is not that role.
    const wrongPath = `arn:aws:iam::${server.accountId}:role/elsewhere/app`;
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: wrongPath, RoleSessionName: 's1' })), 'AccessDenied');
  });

  test('a trust policy naming the account delegates to the caller\'s identity policy', async () => {
    const byAccount = await role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'sts:AssumeRole' }] });
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: byAccount.arn, RoleSessionName: 'by-account' }));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
  });

  test('same account: a trust policy naming the user needs no identity policy; naming the account does; an explicit deny wins', async () => {
    const client = iam(server);
    const keyOf = async (userName: string, deny: boolean) => {
      const arn = (await client.send(new CreateUserCommand({ UserName: userName }))).User!.Arn!;
      const key = (await client.send(new CreateAccessKeyCommand({ UserName: userName }))).AccessKey!;
      if (deny) {
        await client.send(new PutUserPolicyCommand({
          UserName: userName, PolicyName: 'no-roles',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }] }),
        }));
      }
      return { arn, creds: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
    };
    const bob = await keyOf(name('bob'), false);
    const carol = await keyOf(name('carol'), true);
    const namesBoth = await role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: [bob.arn, carol.arn] }, Action: 'sts:AssumeRole' }] });
    const out = await sts(server, bob.creds).send(new AssumeRoleCommand({ RoleArn: namesBoth.arn, RoleSessionName: 'bob' }));
    assert.match(out.Credentials!.AccessKeyId!, /^ASIA/);
    await rejects(sts(server, carol.creds).send(new AssumeRoleCommand({ RoleArn: namesBoth.arn, RoleSessionName: 'carol' })), 'AccessDenied',
      new RegExp(`^User: ${carol.arn} is not authorized to perform: sts:AssumeRole on resource: ${namesBoth.arn} with an explicit deny`));
    const byAccount = await role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: server.accountId }, Action: 'sts:AssumeRole' }] });
    await rejects(sts(server, bob.creds).send(new AssumeRoleCommand({ RoleArn: byAccount.arn, RoleSessionName: 'bob' })), 'AccessDenied',
      new RegExp(`^User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${byAccount.arn}`));
  });

  test('ExternalId: the sts:ExternalId condition admits only the agreed value', async () => {
    const guarded = await role(trustUser(userArn, { Condition: { StringEquals: { 'sts:ExternalId': 'partner-7741' } } }));
    const denied = `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${guarded.arn}`;
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: guarded.arn, RoleSessionName: 'x1' })), 'AccessDenied', denied);
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: guarded.arn, RoleSessionName: 'x2', ExternalId: 'partner-0000' })), 'AccessDenied', denied);
    const ok = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: guarded.arn, RoleSessionName: 'x3', ExternalId: 'partner-7741' }));
    assert.match(ok.Credentials!.AccessKeyId!, /^ASIA/);
    const cli = await awsCli(server, ['sts', 'assume-role', '--role-arn', guarded.arn, '--role-session-name', 'x4', '--external-id', 'partner-7741'], { credentials: user });
    assert.equal(cli.code, 0, cli.stderr);
  });

  test('MFA: a trust policy requiring aws:MultiFactorAuthPresent refuses a session without MFA', async () => {
    const mfaOnly = await role(trustUser(userArn, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }));
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: mfaOnly.arn, RoleSessionName: 'no-mfa' })), 'AccessDenied',
      `User: ${userArn} is not authorized to perform: sts:AssumeRole on resource: ${mfaOnly.arn}`);
    // An MFA device coffer does not know is refused with AWS's text.
    await rejects(sts(server, user).send(new AssumeRoleCommand({
      RoleArn: mfaOnly.arn, RoleSessionName: 'with-mfa', SerialNumber: `arn:aws:iam::${server.accountId}:mfa/alice`, TokenCode: '123456',
    })), 'AccessDenied', /^MultiFactorAuthentication failed, unable to validate MFA code\./);
  });

  test('DurationSeconds: at least 900, at most the role\'s MaxSessionDuration, at most an hour when chaining', async () => {
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'd1', DurationSeconds: 899 })), 'ValidationError', /DurationSeconds|durationSeconds/);
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'd2', DurationSeconds: 3601 })), 'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400);
    const long = await role(trustUser(userArn), { maxSessionDuration: 7200 });
    const start = Date.now();
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: long.arn, RoleSessionName: 'd3', DurationSeconds: 7200 }));
    const expires = out.Credentials!.Expiration!.getTime();
    assert.ok(expires > start + 7000_000 && expires <= Date.now() + 7200_000);

    // Role chaining: a role session assuming a role is held to one hour.
    const chainTarget = await role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: app.arn }, Action: 'sts:AssumeRole' }] }, { maxSessionDuration: 7200 });
    // The session's role needs sts:AssumeRole by its identity policy.
    await sql(server, 'INSERT INTO {schema}iam_inline_policies (account_id, owner_type, owner_key, policy_name, document) VALUES ($1, $2, $3, $4, $5)',
      [server.accountId, 'role', 'app', 'chain', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: chainTarget.arn }] })]);
    const first = session((await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'chain-1' }))).Credentials);
    await rejects(sts(server, first).send(new AssumeRoleCommand({ RoleArn: chainTarget.arn, RoleSessionName: 'chain-2', DurationSeconds: 3601 })), 'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    const second = await sts(server, first).send(new AssumeRoleCommand({ RoleArn: chainTarget.arn, RoleSessionName: 'chain-2', DurationSeconds: 3600 }));
    const who = await sts(server, session(second.Credentials)).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${server.accountId}:assumed-role/${chainTarget.name}/chain-2`);
  });

  test('RoleSessionName follows AWS\'s pattern', async () => {
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'has space' })), 'ValidationError', /roleSessionName/);
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'x' })), 'ValidationError', /roleSessionName/);
  });

  test('session tags need sts:TagSession in the trust policy, are reported in PackedPolicySize and become aws:PrincipalTag', async () => {
    const noTagging = await role(trustUser(userArn));
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: noTagging.arn, RoleSessionName: 't1', Tags: [{ Key: 'team', Value: 'red' }] })), 'AccessDenied',
      `User: ${userArn} is not authorized to perform: sts:TagSession on resource: ${noTagging.arn}`);
    const tagging = await role({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: userArn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    }, {
      policies: { red: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:CreateSecret', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } }] } },
    });
    const red = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: tagging.arn, RoleSessionName: 't2', Tags: [{ Key: 'team', Value: 'red' }] }));
    assert.ok(red.PackedPolicySize! > 0 && red.PackedPolicySize! <= 100, String(red.PackedPolicySize));
    await secretsManager(server, { credentials: session(red.Credentials) }).send(new CreateSecretCommand({ Name: name('tagged'), SecretString: 'x' }));
    const blue = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: tagging.arn, RoleSessionName: 't3', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await rejects(secretsManager(server, { credentials: session(blue.Credentials) }).send(new CreateSecretCommand({ Name: name('tagged'), SecretString: 'x' })), 'AccessDeniedException');
  });

  test('a session policy narrows the role\'s permissions; a malformed one is MalformedPolicyDocument', async () => {
    const listOnly = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' }] });
    const out = await sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'narrow', Policy: listOnly }));
    assert.ok(out.PackedPolicySize! > 0);
    const sm = secretsManager(server, { credentials: session(out.Credentials) });
    await sm.send(new ListSecretsCommand({}));
    await rejects(sm.send(new CreateSecretCommand({ Name: name('narrow'), SecretString: 'x' })), 'AccessDeniedException',
      /assumed-role\/app\/narrow is not authorized to perform: secretsmanager:CreateSecret .*session policy/);
    await rejects(sts(server, user).send(new AssumeRoleCommand({ RoleArn: app.arn, RoleSessionName: 'bad', Policy: '{"Statement":' })), 'MalformedPolicyDocumentException', undefined, 400);
  });

  test('GetSessionToken: the user\'s own identity with an ASIA key, 12 hours by default; the root\'s capped at an hour', async () => {
    const start = Date.now();
    const out = await sts(server, user).send(new GetSessionTokenCommand({}));
    const creds = session(out.Credentials);
    assert.match(creds.accessKeyId, /^ASIA/);
    assert.ok(out.Credentials!.Expiration!.getTime() > start + 43_100_000);
    assert.equal((await sts(server, creds).send(new GetCallerIdentityCommand({}))).Arn, userArn);
    // Temporary credentials may not ask for more.
    await rejects(sts(server, creds).send(new GetSessionTokenCommand({})), 'AccessDenied', 'Cannot call GetSessionToken with session credentials');

    const root = await sts(server).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    assert.ok(root.Credentials!.Expiration!.getTime() <= Date.now() + 3600_000);
    const rootSession = session(root.Credentials);
    assert.equal((await sts(server, rootSession).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${server.accountId}:root`);
    await rejects(sts(server, user).send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })), 'ValidationError');
    const cli = await awsCli(server, ['sts', 'get-session-token', '--duration-seconds', '900'], { credentials: user });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.json.Credentials.AccessKeyId, /^ASIA/);
  });

  test('GetSessionToken with an MFA device coffer does not know: AWS\'s AccessDenied', async () => {
    await rejects(sts(server, user).send(new GetSessionTokenCommand({ SerialNumber: `arn:aws:iam::${server.accountId}:mfa/alice`, TokenCode: '123456' })),
      'AccessDenied', 'MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.', 403);
  });
});
