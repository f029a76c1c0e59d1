/**
 * The rotation driver end to end: RotateSecret runs a Node.js rotation function (SDK v3,
 * written to AWS's template contract) as secretsmanager.amazonaws.com, under an execution role
 * whose policy is the seed document's verbatim; the function's resource policy and the role's
 * AllowRotationLambdaArn condition decide; failures leave AWSCURRENT readable and are recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { sql } from './helpers/db-rows.ts';
import { runCoffer } from './helpers/process.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';
import { attemptsOf, createRotationFunction, finishedAttempt, stagesNow, type RotationFunction } from './helpers/rotation.ts';

const CANNOT_INVOKE = 'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';
const IN_PROGRESS = "A previous rotation isn't complete. That rotation will be reattempted.";
const seedPolicy = (lambdaArn: string) => S000_SINGLE_USER.replaceAll('<lambda_arn>', lambdaArn);

let server: TestServer;
let sm: SecretsManagerClient;
let rotator: RotationFunction;

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  rotator = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: seedPolicy });
});
after(() => server?.destroy());

let n = 0;
async function newSecret(): Promise<{ name: string; arn: string; versionId: string }> {
  const name = `rotation/driver-${++n}`;
  const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password: 'initial-password' }) }));
  return { name, arn: out.ARN!, versionId: out.VersionId! };
}

const password = async (id: string, stage = 'AWSCURRENT') =>
  (JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: id, VersionStage: stage }))).SecretString!) as { password: string }).password;

function coffer(args: string[]) {
  return runCoffer([...args, '--data-dir', server.dataDir, '--database', server.databaseUrl], { timeoutMs: 60_000 });
}

describe('RotateSecret runs the four steps', () => {
  test('on demand: a new AWSCURRENT, the old one AWSPREVIOUS, AWSPENDING gone, LastRotatedDate set', async () => {
    const s = await newSecret();
    const before = Date.now();
    const out = await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: rotator.arn, RotationRules: { AutomaticallyAfterDays: 7 } }));
    assert.equal(out.ARN, s.arn);
    assert.match(out.VersionId!, /^[0-9a-f-]{36}$/);
    const attempt = await finishedAttempt(server, s.arn);
    assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
    assert.deepEqual(attempt.steps.map((x) => [x.step, x.outcome]), [
      ['createSecret', 'succeeded'], ['setSecret', 'succeeded'], ['testSecret', 'succeeded'], ['finishSecret', 'succeeded'],
    ]);
    assert.equal(attempt.token, out.VersionId);
    assert.equal(attempt.trigger, 'RotateSecret');
    assert.deepEqual(await stagesNow(sm, s.name), { [out.VersionId!]: ['AWSCURRENT'], [s.versionId]: ['AWSPREVIOUS'] });
    assert.notEqual(await password(s.name), 'initial-password');
    assert.equal(await password(s.name, 'AWSPREVIOUS'), 'initial-password');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
    assert.equal(d.RotationEnabled, true);
    assert.ok(d.LastRotatedDate!.getTime() >= before - 1000);
    // Seven days after the rotation's day, to the window's last second.
    const day = Math.floor(d.LastRotatedDate!.getTime() / 86_400_000) * 86_400_000;
    assert.equal(d.NextRotationDate!.getTime(), day + 8 * 86_400_000 - 1000);

    const status = await coffer(['rotation', 'status', s.name]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /SUCCEEDED/);
    assert.match(status.stdout, /finishSecret\s+succeeded/);
    assert.match(status.stdout, /finishSecret done for/, 'the log tail is shown');
  });

  test('the placeholder exists before the function runs: AWSPENDING on an empty version, RotationEnabled true', async () => {
    // The function guards on DescribeSecret: had the placeholder been missing, createSecret would fail.
    const s = await newSecret();
    const out = await sm.send(new RotateSecretCommand({ SecretId: s.arn, RotationLambdaARN: rotator.arn }));
    const attempt = await finishedAttempt(server, s.arn);
    assert.equal(attempt.outcome, 'succeeded');
    assert.deepEqual((await stagesNow(sm, s.name))[out.VersionId!], ['AWSCURRENT']);
  });

  test('a user with only secretsmanager:RotateSecret can start a configured rotation', async () => {
    const s = await newSecret();
    await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: rotator.arn }));
    await finishedAttempt(server, s.arn);
    const iam = iamClient(server);
    const user = await userWithKey(iam, `rotator-user-${n}`);
    await iam.send(new PutUserPolicyCommand({
      UserName: `rotator-user-${n}`, PolicyName: 'rotate-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:RotateSecret', Resource: s.arn }] }),
    }));
    const theirs = secretsManager(server, { credentials: user.credentials });
    const previous = await password(s.name);
    await eventuallyOk(() => theirs.send(new RotateSecretCommand({ SecretId: s.arn })));
    const attempt = await finishedAttempt(server, s.arn, 60_000, 2);
    assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
    assert.notEqual(await password(s.name), previous);
  });
});

/** IAM changes reach the authorizer at once, but a new access key may take a moment to be known. */
async function eventuallyOk<T>(call: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (err) {
      if (i >= 10 || (err as Error).name !== 'UnrecognizedClientException') throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

describe('functions Secrets Manager may not invoke are never invoked', () => {
  test('no resource-policy statement for secretsmanager.amazonaws.com → AccessDeniedException, nothing stored', async () => {
    const fn = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: seedPolicy, permission: null });
    const s = await newSecret();
    await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: fn.arn })), 'AccessDeniedException', CANNOT_INVOKE);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
    assert.equal(d.RotationEnabled, undefined);
    assert.equal(d.RotationLambdaARN, undefined);
    assert.deepEqual(d.VersionIdsToStages, { [s.versionId]: ['AWSCURRENT'] });
    assert.deepEqual(await attemptsOf(server, s.arn), []);
  });

  test('aws:SourceAccount naming another account → AccessDeniedException', async () => {
    const fn = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: seedPolicy, permission: { sourceAccount: '111122223333' } });
    const s = await newSecret();
    await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: fn.arn })), 'AccessDeniedException', CANNOT_INVOKE);
    assert.deepEqual(await attemptsOf(server, s.arn), []);
    assert.deepEqual(await stagesNow(sm, s.name), { [s.versionId]: ['AWSCURRENT'] });
  });

  test('a function that does not exist → AccessDeniedException', async () => {
    const s = await newSecret();
    await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: `arn:aws:lambda:us-east-1:${server.accountId}:function:nobody-home` })),
      'AccessDeniedException', CANNOT_INVOKE);
  });
});

describe('a failed rotation leaves the secret readable and is recorded', () => {
  async function failWith(env: Record<string, string>, opts: { timeout?: number; rolePolicy?: (arn: string) => string } = {}) {
    const fn = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: opts.rolePolicy ?? seedPolicy, env, timeout: opts.timeout });
    const s = await newSecret();
    const out = await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: fn.arn }));
    const attempt = await finishedAttempt(server, s.arn, 90_000);
    assert.equal(attempt.outcome, 'failed', JSON.stringify(attempt));
    assert.equal(await password(s.name), 'initial-password', 'AWSCURRENT is untouched and readable');
    const stages = await stagesNow(sm, s.name);
    assert.deepEqual(stages[s.versionId], ['AWSCURRENT']);
    assert.deepEqual(stages[out.VersionId!], ['AWSPENDING'], 'AWSPENDING stays where the function left it');
    await rejectsWith(sm.send(new RotateSecretCommand({ SecretId: s.name })), 'InvalidRequestException', IN_PROGRESS);
    return { s, attempt, token: out.VersionId! };
  }

  test('an execution role whose AllowRotationLambdaArn names another function is denied; the rotation fails cleanly', async () => {
    const other = `arn:aws:lambda:us-east-1:${server.accountId}:function:some-other-rotator`;
    const { attempt } = await failWith({}, { rolePolicy: () => seedPolicy(other) });
    assert.deepEqual(attempt.steps.map((x) => [x.step, x.outcome]), [['createSecret', 'failed']]);
    assert.equal(attempt.steps[0]!.errorCode, 'Unhandled');
  });

  test('a step that throws: the error and the log tail are kept sealed, shown by coffer rotation status', async () => {
    const { s, attempt } = await failWith({ FAIL_STEP: 'setSecret' });
    assert.deepEqual(attempt.steps.map((x) => [x.step, x.outcome]), [['createSecret', 'succeeded'], ['setSecret', 'failed']]);
    assert.match(attempt.error!, /setSecret: the rotation function failed \(Unhandled: Error\)/);
    // The function logged the secret value: the table holds it only sealed.
    const { rows } = await sql(server, 'select a.error, a.steps, a.detail_sealed from {schema}rotation_attempts a join {schema}secrets s on s.id = a.secret_id where s.arn = $1', [s.arn]);
    const raw = Buffer.concat(rows.map((r) => Buffer.concat([Buffer.from(String(r.error)), Buffer.from(String(r.steps)), Buffer.from(r.detail_sealed as Uint8Array)])));
    assert.ok(!raw.includes('initial-password'), 'no secret value in the attempts table');
    assert.ok(!raw.includes('on purpose'), 'the function error message is sealed');
    const status = await coffer(['rotation', 'status', s.arn]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /FAILED/);
    assert.match(status.stdout, /error: Error: failing setSecret on purpose/);
    assert.match(status.stdout, /about to fail/);
  });

  test('a step that outlives its timeout', async () => {
    const { attempt } = await failWith({ HANG_STEP: 'testSecret' }, { timeout: 3 });
    assert.deepEqual(attempt.steps.map((x) => [x.step, x.outcome]), [['createSecret', 'succeeded'], ['setSecret', 'succeeded'], ['testSecret', 'failed']]);
    assert.ok(attempt.steps[2]!.durationMs >= 2500, `testSecret took ${attempt.steps[2]!.durationMs} ms`);
  });

  test('a step whose process crashes', async () => {
    const { attempt } = await failWith({ CRASH_STEP: 'createSecret' });
    assert.deepEqual(attempt.steps.map((x) => [x.step, x.outcome]), [['createSecret', 'failed']]);
  });
});
