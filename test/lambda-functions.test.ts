/**
 * The Lambda API through the real JS SDK and the AWS CLI: CreateFunction with its checks
 * (zip, handler file, runtime, limits, environment, PassRole and the role's trust policy),
 * Get/List/Update/Delete, resource policies (AddPermission, GetPolicy, RemovePermission) and
 * tags, with Lambda's error codes, statuses and messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand,
  GetPolicyCommand, ListFunctionsCommand, ListTagsCommand, RemovePermissionCommand, TagResourceCommand, UntagResourceCommand,
  UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, type LambdaClient,
} from '@aws-sdk/client-lambda';
import { PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';

describe('Lambda functions', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let role: string;
  const code = zipOf({ 'index.js': NODE_ECHO });

  before(async () => {
    server = await startServer();
    lambda = lambdaClient(server);
    iam = iamClient(server);
    role = await executionRole(iam, 'fn-exec');
  });
  after(() => server.destroy());

  const create = (name: string, extra: Record<string, unknown> = {}) => lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code }, ...extra,
  }));

  test('CreateFunction returns the configuration as Lambda shows it; Get/GetConfiguration read it back', async () => {
    const out = await create('alpha', { Description: 'first', Timeout: 30, MemorySize: 256, Environment: { Variables: { STAGE: 'test' } }, Tags: { team: 'a' } });
    assert.equal(out.$metadata.httpStatusCode, 201);
    assert.equal(out.FunctionName, 'alpha');
    assert.equal(out.FunctionArn, `arn:aws:lambda:us-east-1:${server.accountId}:function:alpha`);
    assert.equal(out.Runtime, 'nodejs20.x');
    assert.equal(out.Role, role);
    assert.equal(out.Handler, 'index.handler');
    assert.equal(out.CodeSize, code.length);
    assert.equal(out.Description, 'first');
    assert.equal(out.Timeout, 30);
    assert.equal(out.MemorySize, 256);
    assert.match(out.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(out.CodeSha256!, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(out.Version, '$LATEST');
    assert.deepEqual(out.Environment, { Variables: { STAGE: 'test' } });
    assert.equal(out.State, 'Active');
    assert.equal(out.LastUpdateStatus, 'Successful');
    assert.equal(out.PackageType, 'Zip');
    assert.deepEqual(out.Architectures, ['x86_64']);
    assert.match(out.RevisionId!, /^[0-9a-f-]{36}$/);

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'alpha' }));
    assert.equal(got.Configuration!.FunctionArn, out.FunctionArn);
    assert.equal(got.Configuration!.RevisionId, out.RevisionId);
    assert.deepEqual(got.Tags, { team: 'a' });
    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: out.FunctionArn }));
    assert.equal(byArn.CodeSha256, out.CodeSha256);
    const partial = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${server.accountId}:function:alpha:$LATEST` }));
    assert.equal(partial.FunctionName, 'alpha');
  });

  test('CreateFunction refuses what Lambda refuses, and stores nothing', async () => {
    await rejectsWith(create('alpha'), 'ResourceConflictException', 'Function already exist: alpha');
    await rejectsWith(lambda.send(new CreateFunctionCommand({ FunctionName: 'bad-zip', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: Buffer.from('not a zip') } })),
      'InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.');
    await rejectsWith(create('no-handler', { Handler: 'main.handler' }), 'InvalidParameterValueException', /main\.handler/);
    await rejectsWith(create('old-runtime', { Runtime: 'python2.7' }), 'InvalidParameterValueException', /The runtime parameter of python2\.7 is no longer supported/);
    await rejectsWith(create('java', { Runtime: 'java21' }), 'InvalidParameterValueException', /java21/);
    await rejectsWith(create('slow', { Timeout: 901 }), 'ValidationException', "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900");
    await rejectsWith(create('tiny', { MemorySize: 64 }), 'ValidationException', /at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128/);
    await rejectsWith(create('reserved', { Environment: { Variables: { AWS_REGION: 'x' } } }), 'InvalidParameterValueException', /Reserved keys used in this request: AWS_REGION/);
    await rejectsWith(create('bad name!'), 'ValidationException', /at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    const untrusted = await executionRole(iam, 'not-for-lambda', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }));
    await rejectsWith(create('untrusted', { Role: untrusted }), 'InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
    await rejectsWith(create('ghost-role', { Role: `arn:aws:iam::${server.accountId}:role/nobody` }), 'InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
    const names = (await lambda.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    assert.deepEqual(names, ['alpha']);
  });

  test('a user needs lambda:CreateFunction and iam:PassRole on the role', async () => {
    const { credentials } = await userWithKey(iam, 'deployer');
    const userLambda = lambdaClient(server, credentials);
    const denied = await rejectsWith(userLambda.send(new CreateFunctionCommand({ FunctionName: 'by-user', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code } })),
      'AccessDeniedException', new RegExp(`is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:${server.accountId}:function:by-user`));
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    await iam.send(new PutUserPolicyCommand({ UserName: 'deployer', PolicyName: 'create', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:CreateFunction', Resource: '*' }] }) }));
    await rejectsWith(userLambda.send(new CreateFunctionCommand({ FunctionName: 'by-user', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code } })),
      'AccessDeniedException', new RegExp(`is not authorized to perform: iam:PassRole on resource: ${role.replaceAll('/', '\\/')}`));
    await iam.send(new PutUserPolicyCommand({ UserName: 'deployer', PolicyName: 'pass', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: role, Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }] }) }));
    const made = await userLambda.send(new CreateFunctionCommand({ FunctionName: 'by-user', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: code } }));
    assert.equal(made.FunctionName, 'by-user');
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'by-user' }));
  });

  test('UpdateFunctionConfiguration and UpdateFunctionCode change the function and its RevisionId; a stale RevisionId gets 412', async () => {
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'alpha' }));
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'alpha', Timeout: 60, Description: 'second', Environment: { Variables: {} }, RevisionId: before.RevisionId }));
    assert.equal(updated.Timeout, 60);
    assert.equal(updated.Description, 'second');
    assert.equal(updated.Environment, undefined);
    assert.notEqual(updated.RevisionId, before.RevisionId);
    const stale = await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'alpha', Timeout: 5, RevisionId: before.RevisionId })), 'PreconditionFailedException');
    assert.equal(stale.$metadata?.httpStatusCode, 412);

    const next = zipOf({ 'index.js': NODE_ECHO, 'extra.js': '// more' });
    const code2 = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'alpha', ZipFile: next }));
    assert.equal(code2.CodeSize, next.length);
    assert.notEqual(code2.CodeSha256, before.CodeSha256);
    await rejectsWith(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'alpha', ZipFile: zipOf({ 'other.js': '' }) })), 'InvalidParameterValueException', /index\.handler/);
    await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'alpha', Handler: 'missing.handler' })), 'InvalidParameterValueException', /missing\.handler/);
    await rejectsWith(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'nope', Timeout: 5 })), 'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:us-east-1:${server.accountId}:function:nope`);
  });

  test('ListFunctions pages with Marker and MaxItems', async () => {
    for (const n of ['beta', 'gamma', 'delta']) await create(n);
    const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    assert.deepEqual(first.Functions!.map((f) => f.FunctionName), ['alpha', 'beta']);
    assert.ok(first.NextMarker);
    const second = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: first.NextMarker }));
    assert.deepEqual(second.Functions!.map((f) => f.FunctionName), ['delta', 'gamma']);
    assert.equal(second.NextMarker, undefined);
  });

  test('AddPermission writes Lambda\'s statement; GetPolicy returns the policy and RevisionId; RemovePermission takes it out', async () => {
    await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: 'beta' })), 'ResourceNotFoundException', 'The resource you requested does not exist.');
    const arn = `arn:aws:lambda:us-east-1:${server.accountId}:function:beta`;
    const secretArn = `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:db-AbCdEf`;
    const added = await lambda.send(new AddPermissionCommand({
      FunctionName: 'beta', StatementId: 'sm', Action: 'lambda:InvokeFunction', Principal: 'secretsmanager.amazonaws.com',
      SourceAccount: server.accountId, SourceArn: secretArn,
    }));
    assert.equal(added.$metadata.httpStatusCode, 201);
    assert.deepEqual(JSON.parse(added.Statement!), {
      Sid: 'sm', Effect: 'Allow', Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: arn,
      Condition: { StringEquals: { 'AWS:SourceAccount': server.accountId }, ArnLike: { 'AWS:SourceArn': secretArn } },
    });
    await lambda.send(new AddPermissionCommand({ FunctionName: 'beta', StatementId: 'acct', Action: 'lambda:GetFunction', Principal: '210987654321' }));
    await rejectsWith(lambda.send(new AddPermissionCommand({ FunctionName: 'beta', StatementId: 'sm', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com' })),
      'ResourceConflictException', 'The statement id (sm) provided already exists. Please provide a new statement id, or remove the existing statement.');
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: 'beta' }));
    const doc = JSON.parse(policy.Policy!);
    assert.equal(doc.Version, '2012-10-17');
    assert.deepEqual(doc.Statement.map((s: { Sid: string }) => s.Sid), ['sm', 'acct']);
    assert.deepEqual(doc.Statement[1].Principal, { AWS: 'arn:aws:iam::210987654321:root' });
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'beta' }));
    assert.equal(policy.RevisionId, config.RevisionId);

    const removed = await lambda.send(new RemovePermissionCommand({ FunctionName: 'beta', StatementId: 'sm' }));
    assert.equal(removed.$metadata.httpStatusCode, 204);
    await rejectsWith(lambda.send(new RemovePermissionCommand({ FunctionName: 'beta', StatementId: 'sm' })), 'ResourceNotFoundException', 'Statement sm is not found in resource policy.');
    await lambda.send(new RemovePermissionCommand({ FunctionName: 'beta', StatementId: 'acct' }));
    await rejectsWith(lambda.send(new GetPolicyCommand({ FunctionName: 'beta' })), 'ResourceNotFoundException', 'The resource you requested does not exist.');
  });

  test('TagResource, UntagResource and ListTags on the function ARN', async () => {
    const arn = `arn:aws:lambda:us-east-1:${server.accountId}:function:gamma`;
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { a: '1', b: '2' } }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { a: '1', b: '2' });
    await lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['a'] }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { b: '2' });
    await rejectsWith(lambda.send(new ListTagsCommand({ Resource: `${arn}-missing` })), 'ResourceNotFoundException', `Function not found: ${arn}-missing`);
  });

  test('DeleteFunction removes it; a second delete is ResourceNotFoundException (404)', async () => {
    const out = await lambda.send(new DeleteFunctionCommand({ FunctionName: 'delta' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    const err = await rejectsWith(lambda.send(new DeleteFunctionCommand({ FunctionName: 'delta' })), 'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:us-east-1:${server.accountId}:function:delta`);
    assert.equal(err.$metadata?.httpStatusCode, 404);
  });

  test('the AWS CLI: create-function from a zip file, get-function, list-functions, add-permission, get-policy, delete-function', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-lambda-cli-'));
    const file = join(dir, 'fn.zip');
    writeFileSync(file, code);
    const made = await awsCli(server, ['lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--role', role,
      '--handler', 'index.handler', '--zip-file', `fileb://${file}`, '--environment', 'Variables={MODE=cli}']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.json.FunctionName, 'cli-fn');
    assert.deepEqual(made.json.Environment, { Variables: { MODE: 'cli' } });
    const got = await awsCli(server, ['lambda', 'get-function', '--function-name', 'cli-fn']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json.Configuration.CodeSha256, made.json.CodeSha256);
    const list = await awsCli(server, ['lambda', 'list-functions']);
    assert.ok(list.json.Functions.some((f: { FunctionName: string }) => f.FunctionName === 'cli-fn'));
    const perm = await awsCli(server, ['lambda', 'add-permission', '--function-name', 'cli-fn', '--statement-id', 'sm', '--action', 'lambda:InvokeFunction',
      '--principal', 'secretsmanager.amazonaws.com', '--source-account', server.accountId]);
    assert.equal(perm.code, 0, perm.stderr);
    const policy = await awsCli(server, ['lambda', 'get-policy', '--function-name', 'cli-fn']);
    assert.equal(JSON.parse(policy.json.Policy).Statement[0].Condition.StringEquals['AWS:SourceAccount'], server.accountId);
    const missing = await awsCli(server, ['lambda', 'get-function', '--function-name', 'nope']);
    assert.equal(missing.code, 254);
    assert.match(missing.stderr, /ResourceNotFoundException.*Function not found: arn:aws:lambda:us-east-1:\d{12}:function:nope/);
    const gone = await awsCli(server, ['lambda', 'delete-function', '--function-name', 'cli-fn']);
    assert.equal(gone.code, 0, gone.stderr);
  });
});
