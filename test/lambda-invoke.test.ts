/**
 * Invoke through the real JS SDK and the AWS CLI, running real functions on the machine's
 * interpreters: a Node.js and a Python function `RequestResponse`, `Event` (202), `DryRun`
 * (204), a function error (`X-Amz-Function-Error: Unhandled`), `LogType: Tail`, and who may
 * invoke (identity policy or the function's resource policy).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AddPermissionCommand, CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PutUserPolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';

const PYTHON = `import os

def handler(event, context):
    print("python got", event.get("n"))
    return {"doubled": event["n"] * 2, "function": context.function_name, "marker": os.environ.get("MARKER")}
`;
const FAILING = `exports.handler = async () => { console.log('about to fail'); throw new Error('boom'); };\n`;
const ENV_MARKER = 'env-marker-7c1f0e2a';
const CODE_MARKER = 'code-marker-93be11d4';

const json = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));

describe('Lambda Invoke', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let iam: IAMClient;

  before(async () => {
    server = await startServer();
    lambda = lambdaClient(server);
    iam = iamClient(server);
    const role = await executionRole(iam, 'invoke-exec');
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'node-echo', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zipOf({ 'index.js': `${NODE_ECHO}// ${CODE_MARKER}\n` }) } }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'py-double', Runtime: 'python3.11', Role: role, Handler: 'app.handler', Code: { ZipFile: zipOf({ 'app.py': PYTHON }) }, Environment: { Variables: { MARKER: ENV_MARKER } } }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'node-fail', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zipOf({ 'index.js': FAILING }) } }));
  });
  after(() => server.destroy());

  test('RequestResponse runs a Node.js function and returns its result', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'node-echo', Payload: Buffer.from(JSON.stringify({ hello: 'world' })) }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const body = json(out.Payload);
    assert.deepEqual(body.echo, { hello: 'world' });
    assert.equal(body.name, 'node-echo');
    assert.match(body.requestId, /^[0-9a-f-]{36}$/);
  });

  test('a Python function gets its event, context and environment', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'py-double', Payload: Buffer.from('{"n": 21}'), LogType: 'Tail' }));
    assert.equal(out.StatusCode, 200);
    assert.deepEqual(json(out.Payload), { doubled: 42, function: 'py-double', marker: ENV_MARKER });
    const tail = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    assert.match(tail, /python got 21/);
  });

  test('a handler that throws: 200 with X-Amz-Function-Error Unhandled, Lambda\'s error object, and the log tail', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'node-fail', LogType: 'Tail' }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    const err = json(out.Payload);
    assert.equal(err.errorMessage, 'boom');
    assert.equal(err.errorType, 'Error');
    assert.match(Buffer.from(out.LogResult!, 'base64').toString('utf8'), /about to fail/);
  });

  test('Event answers 202 at once; DryRun 204 without running', async () => {
    const event = await lambda.send(new InvokeCommand({ FunctionName: 'node-echo', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    assert.equal(event.StatusCode, 202);
    assert.equal(Buffer.from(event.Payload ?? []).length, 0);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'node-echo', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
  });

  test('errors: an unknown function (404), a payload that is not JSON (400)', async () => {
    const missing = await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'nope' })), 'ResourceNotFoundException',
      `Function not found: arn:aws:lambda:us-east-1:${server.accountId}:function:nope`);
    assert.equal(missing.$metadata?.httpStatusCode, 404);
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'node-echo', Payload: Buffer.from('{not json') })), 'InvalidRequestContentException', /^Could not parse request body into json/);
    await rejectsWith(lambda.send(new InvokeCommand({ FunctionName: 'node-echo', Qualifier: '7' })), 'ResourceNotFoundException', /function:node-echo:7$/);
  });

  test('a user may invoke by identity policy or by the function\'s resource policy', async () => {
    const { arn, credentials } = await userWithKey(iam, 'invoker');
    const asUser = lambdaClient(server, credentials);
    const fnArn = `arn:aws:lambda:us-east-1:${server.accountId}:function:node-echo`;
    const denied = await rejectsWith(asUser.send(new InvokeCommand({ FunctionName: 'node-echo' })), 'AccessDeniedException',
      `User: ${arn} is not authorized to perform: lambda:InvokeFunction on resource: ${fnArn} because no identity-based policy allows the lambda:InvokeFunction action`);
    assert.equal(denied.$metadata?.httpStatusCode, 403);
    await lambda.send(new AddPermissionCommand({ FunctionName: 'node-echo', StatementId: 'user', Action: 'lambda:InvokeFunction', Principal: arn }));
    assert.equal((await asUser.send(new InvokeCommand({ FunctionName: 'node-echo' }))).StatusCode, 200);
    await rejectsWith(asUser.send(new InvokeCommand({ FunctionName: 'py-double', Payload: Buffer.from('{"n":1}') })), 'AccessDeniedException');
    await iam.send(new PutUserPolicyCommand({ UserName: 'invoker', PolicyName: 'invoke', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:*:*:function:py-*` }] }) }));
    assert.equal((await asUser.send(new InvokeCommand({ FunctionName: 'py-double', Payload: Buffer.from('{"n":1}') }))).StatusCode, 200);
  });

  test('the AWS CLI invokes and writes the payload to a file, with the log tail', async () => {
    const outFile = join(server.dataDir, 'out.json');
    const res = await awsCli(server, ['lambda', 'invoke', '--function-name', 'py-double', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"n": 5}', '--log-type', 'Tail', outFile]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.StatusCode, 200);
    assert.equal(res.json.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(res.json.LogResult, 'base64').toString('utf8'), /python got 5/);
    assert.equal(JSON.parse(readFileSync(outFile, 'utf8')).doubled, 10);
  });

  test('function code and environment are not stored in the clear', { skip: TEST_DATABASE !== 'sqlite' && 'the SQLite file is scanned' }, () => {
    for (const name of readdirSync(server.dataDir)) {
      if (!name.startsWith('coffer.db')) continue;
      const bytes = readFileSync(join(server.dataDir, name));
      assert.equal(bytes.includes(ENV_MARKER), false, `${name} holds the environment in the clear`);
      assert.equal(bytes.includes(CODE_MARKER), false, `${name} holds the code in the clear`);
    }
  });
});
