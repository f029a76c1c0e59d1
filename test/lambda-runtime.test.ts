/**
 * The process runtime behind a real server: functions created and invoked through the real
 * Lambda client and Debian's AWS CLI run as child processes with their execution role's
 * credentials, call coffer back with boto3 (Debian's python3-boto3) and the JS SDK v3, and
 * are authorized by the role's policy — including the seed documents' `aws:SourceAccount`
 * condition. Their logs are kept sealed and read back with `coffer logs`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient } from './helpers/iam.ts';
import { executionRole, lambdaClient, zipOf } from './helpers/lambda.ts';
import { runCoffer } from './helpers/process.ts';
import { filesUnder, occurrences, pgDump, text, type Haystack } from './helpers/scan.ts';

/** The seed documents' execution-role statement, with the account filled in. */
function executionPolicy(secretArn: string, sourceAccount: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        Resource: secretArn,
        Condition: { StringEquals: { 'aws:SourceAccount': sourceAccount } },
      },
      { Effect: 'Allow', Action: ['secretsmanager:GetRandomPassword'], Resource: '*' },
    ],
  });
}

const PY_READER = `
import json, os
import boto3

def lambda_handler(event, context):
    sm = boto3.client("secretsmanager", endpoint_url=os.environ["SECRETS_MANAGER_ENDPOINT"])
    sts = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    value = sm.get_secret_value(SecretId=event["SecretId"])["SecretString"]
    print("read", json.loads(value)["canary"])
    return {"value": value, "caller": sts.get_caller_identity()["Arn"], "requestId": context.aws_request_id}
`;

const NODE_READER = `
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
exports.handler = async (event, context) => {
  // Region, credentials and endpoint all come from the environment the runtime gives.
  const sm = new SecretsManagerClient({});
  const out = await sm.send(new GetSecretValueCommand({ SecretId: event.SecretId }));
  console.log('read by', context.functionName);
  return { value: out.SecretString };
};
`;

describe('the function runtime behind a server', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  let iam: IAMClient;
  let secretArn: string;
  const canary = `CANARY-${randomBytes(8).toString('hex')}`;

  before(async () => {
    server = await startServer();
    lambda = lambdaClient(server);
    iam = iamClient(server);
    const secret = await secretsManager(server).send(new CreateSecretCommand({ Name: 'app/db', SecretString: JSON.stringify({ username: 'app', canary }) }));
    secretArn = secret.ARN!;
    for (const [name, account] of [['reader-exec', server.accountId], ['elsewhere-exec', '999988887777']] as const) {
      await executionRole(iam, name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'rotation', PolicyDocument: executionPolicy(secretArn, account) }));
    }
    const role = (name: string) => `arn:aws:iam::${server.accountId}:role/${name}`;
    const create = (FunctionName: string, Runtime: 'python3.11' | 'nodejs20.x', Handler: string, files: Record<string, string>, roleName: string) => lambda.send(new CreateFunctionCommand({
      FunctionName, Runtime, Handler, Role: role(roleName), Code: { ZipFile: zipOf(files) }, Timeout: 30,
    }));
    await create('py-reader', 'python3.11', 'lambda_function.lambda_handler', { 'lambda_function.py': PY_READER }, 'reader-exec');
    await create('py-elsewhere', 'python3.11', 'lambda_function.lambda_handler', { 'lambda_function.py': PY_READER }, 'elsewhere-exec');
    await create('node-reader', 'nodejs20.x', 'index.handler', { 'index.js': NODE_READER }, 'reader-exec');
  });
  after(() => server.destroy());

  const invoke = (name: string, event: unknown) => lambda.send(new InvokeCommand({
    FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail',
  }));

  test('a boto3 function reads a secret with its execution role\'s session; the seed\'s aws:SourceAccount condition holds', async () => {
    const out = await invoke('py-reader', { SecretId: secretArn });
    const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
    assert.equal(out.FunctionError, undefined, JSON.stringify(body));
    assert.equal(out.StatusCode, 200);
    assert.equal(JSON.parse(body.value).canary, canary);
    assert.equal(body.caller, `arn:aws:sts::${server.accountId}:assumed-role/reader-exec/py-reader`);
    assert.equal(body.requestId, out.$metadata.requestId);
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    assert.match(log, /^START RequestId: \S+ Version: \$LATEST\n/);
    assert.match(log, new RegExp(`read ${canary}\\n`));
    assert.match(log, /END RequestId: \S+\nREPORT RequestId: \S+\tDuration: /);
  });

  test('a role whose policy names another account as aws:SourceAccount is denied, and the function fails cleanly', async () => {
    const out = await invoke('py-elsewhere', { SecretId: secretArn });
    assert.equal(out.FunctionError, 'Unhandled');
    const err = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
    assert.equal(err.errorType, 'ClientError');
    assert.match(err.errorMessage, /\(AccessDeniedException\) when calling the GetSecretValue operation: User: arn:aws:sts::\d{12}:assumed-role\/elsewhere-exec\/py-elsewhere is not authorized to perform: secretsmanager:GetSecretValue/);
  });

  test('a Node.js function with the SDK v3 finds region, credentials and endpoint in its environment', async () => {
    const out = await invoke('node-reader', { SecretId: secretArn });
    const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
    assert.equal(out.FunctionError, undefined, JSON.stringify(body));
    assert.equal(JSON.parse(body.value).canary, canary);
    assert.match(Buffer.from(out.LogResult!, 'base64').toString('utf8'), /\tINFO\tread by node-reader\n/);
  });

  test('Debian\'s AWS CLI invokes a function and shows its log tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-invoke-'));
    const payload = join(dir, 'event.json');
    writeFileSync(payload, JSON.stringify({ SecretId: secretArn }));
    const res = await awsCli(server, ['lambda', 'invoke', '--function-name', 'py-reader', '--payload', `fileb://${payload}`, '--log-type', 'Tail', join(dir, 'out.json')]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.StatusCode, 200);
    assert.equal(res.json.ExecutedVersion, '$LATEST');
    assert.match(Buffer.from(res.json.LogResult, 'base64').toString('utf8'), new RegExp(`read ${canary}`));
    assert.equal(JSON.parse(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).value).canary, canary);
  });

  test('coffer logs prints the kept logs, START to REPORT; --tail N the last lines', async () => {
    const storage = ['--data-dir', server.dataDir, '--database', server.databaseUrl];
    const all = await runCoffer(['logs', 'py-reader', ...storage]);
    assert.equal(all.code, 0, all.stderr);
    assert.ok((all.stdout.match(/^START RequestId: /gm) ?? []).length >= 2, all.stdout);
    assert.match(all.stdout, new RegExp(`read ${canary}\\n`));
    const tail = await runCoffer(['logs', `arn:aws:lambda:us-east-1:${server.accountId}:function:py-reader`, '--tail', '1', ...storage]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /^REPORT RequestId: \S+\tDuration: [\d.]+ ms.*\n$/);
    const none = await runCoffer(['logs', 'no-such-function', ...storage]);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /no logs kept for arn:aws:lambda:us-east-1:\d{12}:function:no-such-function/);
  });

  test('what functions print is stored sealed: the canary is nowhere in the data dir or database', async () => {
    const haystacks: Haystack[] = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'postgres') haystacks.push(await pgDump(server.databaseUrl));
    // The scan sees what is stored in the clear: the log rows' function ARN.
    assert.ok(occurrences([text('function ARN', `${server.accountId}:function:py-reader`)], haystacks).length > 0, 'the scan finds the clear-text control');
    assert.deepEqual(occurrences([text('printed canary', `read ${canary}`)], haystacks), []);
  });
});
