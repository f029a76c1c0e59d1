/**
 * Rotations on a schedule and through a Python function: AWS's template contract in Debian's
 * python3 + boto3, RotateImmediately=false (testSecret only, against a temporary AWSPENDING
 * copy), the durable scheduler (tests move `rotation_due_at` into the past, as if the window
 * had come), a failed rotation retried with its token, and a window missed while coffer was
 * down caught up once after a restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { dropPostgresSchema, startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { sql } from './helpers/db-rows.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';
import {
  attemptsOf, createRotationFunction, finishedAttempt, lambdaClient, makeRotationDue, stagesNow, type RotationFunction,
} from './helpers/rotation.ts';

const seedPolicy = (lambdaArn: string) => S000_SINGLE_USER.replaceAll('<lambda_arn>', lambdaArn);
const DAY = 86_400_000;

let server: TestServer;
let sm: SecretsManagerClient;
let python: RotationFunction;

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  python = await createRotationFunction(server, { runtime: 'python3.11', rolePolicy: seedPolicy });
});
after(async () => {
  if (!server) return;
  await server.stop();
  rmSync(server.dataDir, { recursive: true, force: true });
  if (TEST_DATABASE === 'postgres') await dropPostgresSchema(server.databaseUrl);
});

let n = 0;
async function newSecret(): Promise<{ name: string; arn: string; versionId: string }> {
  const name = `rotation/schedule-${++n}`;
  const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password: 'initial-password' }) }));
  return { name, arn: out.ARN!, versionId: out.VersionId! };
}
const currentPassword = async (id: string) =>
  (JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString!) as { password: string }).password;

describe('a Python rotation function (boto3, AWS template contract)', () => {
  test('rotates a secret on demand', async () => {
    const s = await newSecret();
    const out = await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: python.arn }));
    const attempt = await finishedAttempt(server, s.arn, 90_000);
    assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
    assert.deepEqual(await stagesNow(sm, s.name), { [out.VersionId!]: ['AWSCURRENT'], [s.versionId]: ['AWSPREVIOUS'] });
    assert.notEqual(await currentPassword(s.name), 'initial-password');
  });
});

describe('schedules', () => {
  test('RotateImmediately=false runs only testSecret against a temporary copy; the window then rotates it', async () => {
    const s = await newSecret();
    const out = await sm.send(new RotateSecretCommand({
      SecretId: s.name, RotationLambdaARN: python.arn, RotationRules: { AutomaticallyAfterDays: 2 }, RotateImmediately: false,
    }));
    assert.equal(out.VersionId, undefined);
    const test = await finishedAttempt(server, s.arn, 90_000);
    assert.equal(test.kind, 'test');
    assert.equal(test.outcome, 'succeeded', JSON.stringify(test));
    assert.deepEqual(test.steps.map((x) => x.step), ['testSecret']);
    assert.deepEqual(await stagesNow(sm, s.name), { [s.versionId]: ['AWSCURRENT'] }, 'the test version is gone');
    assert.equal(await currentPassword(s.name), 'initial-password');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
    assert.equal(d.LastRotatedDate, undefined);

    // The window comes.
    await makeRotationDue(server, s.arn);
    const rotated = await finishedAttempt(server, s.arn, 90_000, 2);
    assert.equal(rotated.trigger, 'schedule');
    assert.equal(rotated.outcome, 'succeeded', JSON.stringify(rotated));
    assert.notEqual(await currentPassword(s.name), 'initial-password');
    const after = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
    const day = Math.floor(after.LastRotatedDate!.getTime() / DAY) * DAY;
    assert.equal(after.NextRotationDate!.getTime(), day + 3 * DAY - 1000, 'two days after the rotation, to the window end');
    // The next start lies inside that window (the whole UTC day), not at its edge.
    const { rows } = await sql(server, 'select rotation_due_at from {schema}secrets where arn = $1', [s.arn]);
    const due = Number(rows[0]!.rotation_due_at);
    assert.ok(due >= day + 2 * DAY && due < day + 3 * DAY, `due ${new Date(due).toISOString()}`);
  });

  test('a failed rotation is retried with the same token and can then succeed', async () => {
    const node = await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy: seedPolicy, env: { FAIL_STEP: 'testSecret' } });
    const s = await newSecret();
    const out = await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: node.arn, RotationRules: { ScheduleExpression: 'rate(10 days)' } }));
    const failed = await finishedAttempt(server, s.arn, 60_000);
    assert.equal(failed.outcome, 'failed');
    const { rows } = await sql(server, 'select rotation_due_at from {schema}secrets where arn = $1', [s.arn]);
    const retryIn = Number(rows[0]!.rotation_due_at) - Date.now();
    assert.ok(retryIn > 30_000 && retryIn <= 60_000, `the retry is due in ${retryIn} ms`);

    await lambdaClient(server).send(new UpdateFunctionConfigurationCommand({ FunctionName: node.name, Environment: { Variables: {} } }));
    await makeRotationDue(server, s.arn);
    const retried = await finishedAttempt(server, s.arn, 60_000, 2);
    assert.equal(retried.trigger, 'retry');
    assert.equal(retried.token, out.VersionId, 'the same ClientRequestToken');
    assert.equal(retried.outcome, 'succeeded', JSON.stringify(retried));
    assert.deepEqual((await stagesNow(sm, s.name))[out.VersionId!], ['AWSCURRENT']);
  });

  test('a window missed while coffer was down is caught up once after the restart', async () => {
    const s = await newSecret();
    await sm.send(new RotateSecretCommand({ SecretId: s.name, RotationLambdaARN: python.arn, RotationRules: { AutomaticallyAfterDays: 1 }, RotateImmediately: false }));
    await finishedAttempt(server, s.arn, 90_000);
    assert.equal(await server.stop(), 0);
    // Several windows pass while the server is down.
    await sql(server, 'update {schema}secrets set rotation_due_at = $1, next_rotation_at = $2 where arn = $3', [Date.now() - 5 * DAY, Date.now() - 4 * DAY, s.arn]);
    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root });
    sm = secretsManager(server);
    const caught = await finishedAttempt(server, s.arn, 90_000, 2);
    assert.equal(caught.trigger, 'schedule');
    assert.equal(caught.outcome, 'succeeded', JSON.stringify(caught));
    // Once: the next start is counted from this rotation, in the future.
    await new Promise((r) => setTimeout(r, 6_000));
    const attempts = await attemptsOf(server, s.arn);
    assert.equal(attempts.filter((a) => a.kind === 'rotate').length, 1);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: s.name }));
    assert.ok(d.NextRotationDate!.getTime() > Date.now());
  });
});
