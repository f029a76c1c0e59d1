/**
 * `coffer rotation setup` end to end: the command, run as a client with the usual AWS settings
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_REGION/AWS_ENDPOINT_URL), turns rotation on for a
 * real PostgreSQL user's secret; the role, its policy (seed 001's, filled in), the function and
 * its resource policy are as docs/rotation.md says; the password really changes (checked
 * against the SCRAM verifier in pg_authid, since local logins are trusted); a rerun reuses
 * everything; a user without iam:CreateRole is refused before anything exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetRoleCommand, GetRolePolicyCommand, PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import { COFFER_BIN, PG_ADMIN_URL, startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { attemptsOf, finishedAttempt, lambdaClient } from './helpers/rotation.ts';
import { pgPasswordMatches } from './helpers/pg-password.ts';
import { S001_FUNCTION_POLICY, S001_SINGLE_USER } from '../src/iam/seed-examples.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let iam: IAMClient;
let admin: pg.Client;
const dbUsers: string[] = [];

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  iam = iamClient(server);
  admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
});
after(async () => {
  for (const user of dbUsers) await admin.query(`drop role if exists "${user}"`).catch(() => {});
  await admin?.end();
  await server?.destroy();
});

interface Run { code: number | null; stdout: string; stderr: string }

/** `coffer rotation setup ARGS` as an AWS client: credentials, region and endpoint from the environment. */
function setup(args: string[], credentials: Credentials = server.root): Promise<Run> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: server.endpoint,
  };
  const child = spawn(process.execPath, [COFFER_BIN, 'rotation', 'setup', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A PostgreSQL login role and a secret in AWS's database JSON for it. */
async function databaseSecret(name: string): Promise<{ arn: string; user: string; password: string }> {
  const user = `coffer_setup_${randomBytes(4).toString('hex')}`;
  const password = `initial-${randomBytes(12).toString('hex')}`;
  await admin.query(`create role "${user}" login password '${password}'`);
  dbUsers.push(user);
  const out = await sm.send(new CreateSecretCommand({
    Name: name,
    SecretString: JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: 5432, username: user, password, dbname: 'test' }),
  }));
  return { arn: out.ARN!, user, password };
}

const currentValue = async (id: string) =>
  JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!) as { password: string; username: string };

describe('coffer rotation setup, single user on PostgreSQL', () => {
  const name = 'setup/pg-app';
  const functionName = 'SecretsManager-setup-pg-app-';
  let secret: { arn: string; user: string; password: string };
  let functionArn: string;

  test('creates the role, its policy, the function and its permission, then rotates: the password changes in PostgreSQL', async () => {
    secret = await databaseSecret(name);
    assert.ok(await pgPasswordMatches(admin, secret.user, secret.password));
    const run = await setup(['--secret-id', name, '--template', 'postgresql-single-user', '--schedule', 'rate(10 days)']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    const expected = [/^created\s+role\s+arn:aws:iam::\d{12}:role\//, /^created\s+role policy\s/, /^created\s+function\s/, /^created\s+permission\s/,
      /^started\s+rotation\s.*rate\(10 days\); rotating now, version [0-9a-f-]{36}\)$/];
    assert.equal(lines.length, expected.length, run.stdout);
    expected.forEach((re, i) => assert.match(lines[i]!, re));
    functionArn = /created\s+function\s+(\S+)/.exec(run.stdout)![1]!;
    assert.match(functionArn, new RegExp(`^arn:aws:lambda:us-east-1:${server.accountId}:function:${functionName}[0-9a-f]{8}$`));

    const attempt = await finishedAttempt(server, secret.arn, 90_000);
    assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
    const now = await currentValue(name);
    assert.notEqual(now.password, secret.password);
    assert.equal(now.username, secret.user);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationEnabled, true);
    assert.equal(d.RotationLambdaARN, functionArn);
    assert.equal(d.RotationRules?.ScheduleExpression, 'rate(10 days)');
  });

  test('the password really changed in PostgreSQL: the SCRAM verifier in pg_authid is the new one\'s', async () => {
    const now = await currentValue(name);
    assert.ok(await pgPasswordMatches(admin, secret.user, now.password), 'the new password is the role\'s');
    assert.ok(!(await pgPasswordMatches(admin, secret.user, secret.password)), 'the old one is not');
  });

  test('the role, its policy and the function\'s resource policy are the documented ones', async () => {
    const fnName = functionArn.split(':').pop()!;
    const roleName = `${fnName}-Role`;
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
    assert.deepEqual(JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!)), {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'SecretsManagerRotation' }));
    const expected = S001_SINGLE_USER.replace('"SecretARN"', JSON.stringify(secret.arn))
      .replace('"LambdaRotationFunctionARN"', JSON.stringify(functionArn)).replace('"111122223333"', JSON.stringify(server.accountId));
    assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), JSON.parse(expected));

    const lambda = lambdaClient(server);
    const fn = (await lambda.send(new GetFunctionCommand({ FunctionName: fnName }))).Configuration!;
    assert.equal(fn.Role, role.Arn);
    assert.equal(fn.Runtime, 'nodejs20.x');
    assert.equal(fn.Handler, 'index.handler');
    assert.equal(fn.Description, `coffer rotation template postgresql-single-user for ${secret.arn}`);
    const resource = JSON.parse((await lambda.send(new GetPolicyCommand({ FunctionName: fnName }))).Policy!);
    const seed = JSON.parse(S001_FUNCTION_POLICY).Statement[0];
    assert.equal(resource.Statement.length, 1);
    const [statement] = resource.Statement;
    assert.equal(statement.Sid, 'SecretsManagerRotationInvoke');
    assert.deepEqual(statement.Principal, seed.Principal);
    assert.equal(statement.Action, seed.Action);
    assert.equal(statement.Resource, functionArn);
    // Lambda writes the key as AWS:SourceAccount (condition keys are case-insensitive).
    assert.deepEqual(statement.Condition, { StringEquals: { 'AWS:SourceAccount': server.accountId } });
  });

  test('a rerun reuses everything and starts no second rotation', async () => {
    const run = await setup(['--secret-id', name, '--template', 'postgresql-single-user', '--schedule', 'rate(10 days)']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    for (const line of lines) assert.match(line, /^reused\s/, run.stdout);
    assert.equal((await attemptsOf(server, secret.arn)).length, 1);
  });

  test('another template for the same secret is refused before anything changes, with what to do', async () => {
    const master = await sm.send(new CreateSecretCommand({ Name: 'setup/pg-master', SecretString: JSON.stringify({ engine: 'postgres', host: '127.0.0.1', username: 'postgres', password: 'unused' }) }));
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: JSON.stringify({ ...(await currentValue(name)), masterarn: master.ARN }) }));
    const fnName = functionArn.split(':').pop()!;
    const policyBefore = (await iam.send(new GetRolePolicyCommand({ RoleName: `${fnName}-Role`, PolicyName: 'SecretsManagerRotation' }))).PolicyDocument;
    const run = await setup(['--secret-id', name, '--template', 'postgresql-alternating-users', '--master-secret-id', 'setup/pg-master']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /made from the template postgresql-single-user, not postgresql-alternating-users: rerun with --template postgresql-single-user/);
    assert.match(run.stderr, /nothing was created or changed/);
    assert.equal((await iam.send(new GetRolePolicyCommand({ RoleName: `${fnName}-Role`, PolicyName: 'SecretsManagerRotation' }))).PolicyDocument, policyBefore);
  });
});

describe('errors', () => {
  test('a user without iam:CreateRole is told so, and nothing is created', async () => {
    const s = await databaseSecret('setup/no-create-role');
    const user = await userWithKey(iam, 'setup-no-create-role');
    await iam.send(new PutUserPolicyCommand({
      UserName: 'setup-no-create-role', PolicyName: 'almost-enough',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow', Resource: '*',
          Action: ['secretsmanager:*', 'lambda:*', 'kms:DescribeKey', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:PassRole'],
        }],
      }),
    }));
    let run: Run;
    // A new access key may take a moment to be known.
    for (let i = 0; ; i++) {
      run = await setup(['--secret-id', 'setup/no-create-role', '--template', 'postgresql-single-user'], user.credentials);
      if (!/UnrecognizedClient|InvalidClientTokenId/.test(run.stderr) || i >= 10) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr, /could not create the role SecretsManager-setup-no-create-role-[0-9a-f]{8}-Role: AccessDenied/);
    assert.match(run.stderr, /iam:CreateRole/);
    assert.match(run.stderr, /nothing was created or changed/);
    assert.equal(run.stdout, '');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: s.arn }));
    assert.equal(d.RotationEnabled, undefined);
    await assert.rejects(lambdaClient(server).send(new GetFunctionCommand({ FunctionName: 'SecretsManager-setup-no-create-role-' + /-([0-9a-f]{8})-Role/.exec(run.stderr)![1] })),
      { name: 'ResourceNotFoundException' });
    assert.ok(await pgPasswordMatches(admin, s.user, s.password));
  });

  test('a template for another engine, an unknown template, a missing master secret: explained, nothing made', async () => {
    await databaseSecret('setup/wrong-engine');
    const mysql = await setup(['--secret-id', 'setup/wrong-engine', '--template', 'mysql-single-user']);
    assert.equal(mysql.code, 1);
    assert.match(mysql.stderr, /the secret's "engine" is "postgres"; the template mysql-single-user rotates mysql or mariadb users/);
    assert.match(mysql.stderr, /nothing was created or changed/);
    const unknown = await setup(['--secret-id', 'setup/wrong-engine', '--template', 'oracle']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown template 'oracle'; one of: postgresql-single-user/);
    const master = await setup(['--secret-id', 'setup/wrong-engine', '--template', 'postgresql-alternating-users']);
    assert.equal(master.code, 1);
    assert.match(master.stderr, /give --master-secret-id \(the secret's value has no "masterarn"\)/);
    const usage = await setup(['--template', 'postgresql-single-user']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /rotation setup needs --secret-id/);
  });
});
