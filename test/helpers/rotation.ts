/**
 * Rotation functions for the rotation tests: zipped handlers written to AWS's rotation
 * template contract, an execution role whose policy is a seed document's, and the Lambda
 * resource policy that lets Secrets Manager invoke them.
 */
import assert from 'node:assert/strict';
import { AddPermissionCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { iamClient } from './iam.ts';
import { sql } from './db-rows.ts';
import { executionRole, lambdaClient, zipOf } from './lambda.ts';
import type { TestServer } from './server.ts';

export { lambdaClient };

/**
 * A Node.js function (SDK v3, from coffer's node_modules) following the template contract:
 * DescribeSecret guards on every step; createSecret puts a new password as AWSPENDING;
 * finishSecret moves AWSCURRENT. `FAIL_STEP`, `HANG_STEP` and `CRASH_STEP` make a step
 * throw, outlive its timeout or kill its process.
 */
export const NODE_ROTATOR = `
const sm = require('@aws-sdk/client-secrets-manager');
const client = new sm.SecretsManagerClient({ endpoint: process.env.SECRETS_MANAGER_ENDPOINT, region: process.env.AWS_REGION });
exports.handler = async (event) => {
  const { Step: step, SecretId: arn, ClientRequestToken: token } = event;
  const d = await client.send(new sm.DescribeSecretCommand({ SecretId: arn }));
  if (d.RotationEnabled === false) throw new Error('Secret ' + arn + ' is not enabled for rotation');
  const versions = d.VersionIdsToStages || {};
  if (!versions[token]) throw new Error('Secret version ' + token + ' has no stage for rotation of secret ' + arn);
  if (versions[token].includes('AWSCURRENT')) { console.log('already current'); return; }
  if (!versions[token].includes('AWSPENDING')) throw new Error('Secret version ' + token + ' not set as AWSPENDING');
  if (process.env.FAIL_STEP === step) {
    const current = await client.send(new sm.GetSecretValueCommand({ SecretId: arn }));
    console.log('about to fail; current value is ' + current.SecretString);
    throw new Error('failing ' + step + ' on purpose');
  }
  if (process.env.HANG_STEP === step) await new Promise((r) => setTimeout(r, 60000));
  if (process.env.CRASH_STEP === step) process.exit(3);
  if (step === 'createSecret') {
    const current = await client.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    try {
      await client.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
    } catch (err) {
      if (err.name !== 'ResourceNotFoundException') throw err;
      const pw = await client.send(new sm.GetRandomPasswordCommand({ ExcludeCharacters: '/@"\\'\\\\' }));
      const value = { ...JSON.parse(current.SecretString), password: pw.RandomPassword };
      await client.send(new sm.PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify(value), VersionStages: ['AWSPENDING'] }));
    }
  } else if (step === 'setSecret' || step === 'testSecret') {
    await client.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
  } else if (step === 'finishSecret') {
    let old;
    for (const [version, stages] of Object.entries(versions)) {
      if (stages.includes('AWSCURRENT')) { if (version === token) return; old = version; }
    }
    await client.send(new sm.UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: old }));
  } else {
    throw new Error('Invalid step parameter ' + step);
  }
  console.log(step + ' done for ' + arn);
};
`;

/** The same contract in Python with Debian's boto3, the client built as AWS's templates build it. */
export const PYTHON_ROTATOR = `
import json
import logging
import os

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def lambda_handler(event, context):
    arn = event['SecretId']
    token = event['ClientRequestToken']
    step = event['Step']
    client = boto3.client('secretsmanager', endpoint_url=os.environ['SECRETS_MANAGER_ENDPOINT'])
    metadata = client.describe_secret(SecretId=arn)
    if 'RotationEnabled' in metadata and not metadata['RotationEnabled']:
        raise ValueError("Secret %s is not enabled for rotation" % arn)
    versions = metadata['VersionIdsToStages']
    if token not in versions:
        raise ValueError("Secret version %s has no stage for rotation of secret %s." % (token, arn))
    if "AWSCURRENT" in versions[token]:
        logger.info("Secret version %s already set as AWSCURRENT for secret %s." % (token, arn))
        return
    elif "AWSPENDING" not in versions[token]:
        raise ValueError("Secret version %s not set as AWSPENDING for rotation of secret %s." % (token, arn))
    if step == "createSecret":
        current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")['SecretString'])
        try:
            client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except client.exceptions.ResourceNotFoundException:
            current['password'] = client.get_random_password(ExcludeCharacters='/@"\\'\\\\')['RandomPassword']
            client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=['AWSPENDING'])
            logger.info("createSecret: put a new AWSPENDING version %s" % token)
    elif step in ("setSecret", "testSecret"):
        client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
    elif step == "finishSecret":
        current_version = None
        for version in metadata["VersionIdsToStages"]:
            if "AWSCURRENT" in metadata["VersionIdsToStages"][version]:
                if version == token:
                    return
                current_version = version
                break
        client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current_version)
    else:
        raise ValueError("Invalid step parameter")
`;

export interface RotationFunction {
  name: string;
  arn: string;
  roleArn: string;
}

let counter = 0;

/**
 * Creates an execution role with `rolePolicy(functionArn)` as its inline policy, the function,
 * and (unless `permission: null`) a resource policy statement for secretsmanager.amazonaws.com
 * with `aws:SourceAccount` (default: the server's account).
 */
export async function createRotationFunction(server: TestServer, o: {
  runtime: 'nodejs20.x' | 'python3.11';
  rolePolicy: (functionArn: string) => string;
  env?: Record<string, string>;
  timeout?: number;
  permission?: { sourceAccount?: string } | null;
  /** The handler's source instead of NODE_ROTATOR / PYTHON_ROTATOR. */
  code?: string;
}): Promise<RotationFunction> {
  const n = ++counter;
  const name = `rotator-${o.runtime.startsWith('node') ? 'node' : 'py'}-${n}-${Date.now() % 100000}`;
  const arn = `arn:aws:lambda:us-east-1:${server.accountId}:function:${name}`;
  const iam = iamClient(server);
  const roleArn = await executionRole(iam, `${name}-role`);
  await iam.send(new PutRolePolicyCommand({ RoleName: `${name}-role`, PolicyName: 'rotation', PolicyDocument: o.rolePolicy(arn) }));
  const files: Record<string, string> = o.runtime.startsWith('node') ? { 'index.js': o.code ?? NODE_ROTATOR } : { 'lambda_function.py': o.code ?? PYTHON_ROTATOR };
  const lambda = lambdaClient(server);
  const created = await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: o.runtime, Role: roleArn, Timeout: o.timeout ?? 30,
    Handler: o.runtime.startsWith('node') ? 'index.handler' : 'lambda_function.lambda_handler',
    Code: { ZipFile: zipOf(files) }, Environment: o.env ? { Variables: o.env } : undefined,
  }));
  assert.equal(created.FunctionArn, arn);
  if (o.permission !== null) {
    await lambda.send(new AddPermissionCommand({
      FunctionName: name, StatementId: 'SecretsManagerAccess', Action: 'lambda:InvokeFunction',
      Principal: 'secretsmanager.amazonaws.com', SourceAccount: o.permission?.sourceAccount ?? server.accountId,
    }));
  }
  return { name, arn, roleArn };
}

export interface AttemptRow {
  outcome: string;
  trigger: string;
  kind: string;
  token: string;
  error: string | null;
  steps: { step: string; outcome: string; durationMs: number; errorCode?: string }[];
}

/** The secret's attempts, newest first, straight from the table. */
export async function attemptsOf(server: TestServer, arn: string): Promise<AttemptRow[]> {
  const { rows } = await sql(server,
    'select a.outcome, a."trigger", a.kind, a.token, a.error, a.steps from {schema}rotation_attempts a join {schema}secrets s on s.id = a.secret_id where s.arn = $1 order by a.started_at desc',
    [arn]);
  return rows.map((r) => ({ ...(r as Omit<AttemptRow, 'steps'>), steps: JSON.parse(String(r.steps)) as AttemptRow['steps'] }));
}

/** Polls until the newest attempt has finished; returns it. */
export async function finishedAttempt(server: TestServer, arn: string, timeoutMs = 60_000, count = 1): Promise<AttemptRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const attempts = await attemptsOf(server, arn);
    if (attempts.length >= count && attempts[0]!.outcome !== 'running') return attempts[0]!;
    if (Date.now() > until) assert.fail(`no finished rotation attempt for ${arn} after ${timeoutMs} ms: ${JSON.stringify(attempts)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Moves the secret's next rotation into the past, as if its window had come. */
export async function makeRotationDue(server: TestServer, arn: string): Promise<void> {
  const { changes } = await sql(server, 'update {schema}secrets set rotation_due_at = $1 where arn = $2', [Date.now() - 1000, arn]);
  assert.equal(changes, 1);
}

export async function stagesNow(sm: SecretsManagerClient, id: string): Promise<Record<string, string[]>> {
  return (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages ?? {};
}
