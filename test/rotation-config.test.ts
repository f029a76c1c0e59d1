/**
 * Rotation configuration through RotateSecret and CancelRotateSecret: the function ARN, the
 * rules (AutomaticallyAfterDays, rate()/cron() schedules, Duration), NextRotationDate, and
 * what DescribeSecret shows. Every call is RotateImmediately=false, so only the configuration
 * test (testSecret) runs, through a real function; rotations are test/rotation-driver's business.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DescribeSecretCommand,
  RotateSecretCommand,
  type RotationRulesType,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { failsAndChangesNothing, rejectsWith } from './helpers/secrets.ts';
import { createRotationFunction } from './helpers/rotation.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NO_LAMBDA = 'No Lambda rotation function ARN is associated with this secret.';
const BOTH = 'You cannot specify both rotation frequency and schedule expression together.';

let server: TestServer;
let sm: SecretsManagerClient;
let lambda: string;
let otherLambda: string;

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  const rolePolicy = (arn: string) => S000_SINGLE_USER.replaceAll('<lambda_arn>', arn);
  lambda = (await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy })).arn;
  otherLambda = (await createRotationFunction(server, { runtime: 'nodejs20.x', rolePolicy })).arn;
});
after(() => server?.destroy());

let counter = 0;
async function newSecret(prefix: string): Promise<string> {
  const name = `rot/${prefix}-${++counter}`;
  await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  return name;
}

/** RotateSecret without running the function now; `arn: null` sends no RotationLambdaARN. */
function rotate(name: string, rules?: RotationRulesType, arn: string | null = lambda) {
  return sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: arn ?? undefined, RotationRules: rules, RotateImmediately: false }));
}

const midnight = (ms: number) => Math.floor(ms / DAY) * DAY;

/** Runs `call` and returns the UTC midnights of the days it started and ended on. */
async function during<T>(call: () => Promise<T>): Promise<{ result: T; days: number[]; start: number; end: number }> {
  const start = Date.now();
  const result = await call();
  const end = Date.now();
  return { result, days: [...new Set([midnight(start), midnight(end)])], start, end };
}

describe('RotateSecret configuration', () => {
  test('AutomaticallyAfterDays: DescribeSecret shows the configuration and NextRotationDate', async () => {
    const name = await newSecret('days');
    const { result, days } = await during(() => rotate(name, { AutomaticallyAfterDays: 30 }));
    assert.equal(result.Name, name);
    assert.match(result.ARN!, /:secret:rot\/days-\d+-[A-Za-z0-9]{6}$/);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationEnabled, true);
    assert.equal(d.RotationLambdaARN, lambda);
    assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 30 });
    // The window is the whole UTC day 30 days on; NextRotationDate is its last second.
    const expected = days.map((day) => day + 30 * DAY + DAY - 1000);
    assert.ok(expected.includes(d.NextRotationDate!.getTime()), `NextRotationDate ${d.NextRotationDate!.toISOString()}`);
  });

  test('rate(N days) with a Duration', async () => {
    const name = await newSecret('rate-days');
    const { days } = await during(() => rotate(name, { ScheduleExpression: 'rate(10 days)', Duration: '3h' }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationRules!.ScheduleExpression, 'rate(10 days)');
    assert.equal(d.RotationRules!.Duration, '3h');
    // AWS also reports the frequency a rate() expression implies.
    assert.equal(d.RotationRules!.AutomaticallyAfterDays, 10);
    const expected = days.map((day) => day + 10 * DAY + 3 * HOUR - 1000);
    assert.ok(expected.includes(d.NextRotationDate!.getTime()), `NextRotationDate ${d.NextRotationDate!.toISOString()}`);
  });

  test('rate(4 hours): the next window opens on a 4-hour boundary and lasts an hour by default', async () => {
    const name = await newSecret('rate-hours');
    const { start, end } = await during(() => rotate(name, { ScheduleExpression: 'rate(4 hours)' }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationRules!.ScheduleExpression, 'rate(4 hours)');
    const next = d.NextRotationDate!.getTime();
    const opens = next + 1000 - HOUR;
    assert.equal(opens % (4 * HOUR), 0, `window opens at ${new Date(opens).toISOString()}`);
    assert.ok(opens > start - 1000 && opens <= end + 4 * HOUR, `window opens at ${new Date(opens).toISOString()}`);
  });

  test('cron(0 16 1,15 * ? *) with Duration 2h: NextRotationDate is 17:59:59 on the next 1st or 15th', async () => {
    const name = await newSecret('cron');
    const { start } = await during(() => rotate(name, { ScheduleExpression: 'cron(0 16 1,15 * ? *)', Duration: '2h' }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationRules!.ScheduleExpression, 'cron(0 16 1,15 * ? *)');
    assert.equal(d.RotationRules!.Duration, '2h');
    const next = d.NextRotationDate!;
    assert.ok([1, 15].includes(next.getUTCDate()), next.toISOString());
    assert.equal(next.toISOString().slice(11), '17:59:59.000Z');
    const opens = next.getTime() + 1000 - 2 * HOUR;
    assert.ok(opens > start - 1000 && opens < start + 17 * DAY, `window opens at ${new Date(opens).toISOString()}`);
  });

  test('a daily cron without Duration: the window runs to the end of the UTC day', async () => {
    const name = await newSecret('cron-daily');
    await rotate(name, { ScheduleExpression: 'cron(0 8 * * ? *)' });
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.NextRotationDate!.toISOString().slice(11), '23:59:59.000Z');
    assert.ok(d.NextRotationDate!.getTime() - Date.now() < 2 * DAY);
  });

  for (const expr of [
    'cron(0 0 L * ? *)', 'cron(0 12 ? * 2#1 *)', 'cron(0 8 ? * MON-FRI *)', 'cron(0 */4 * * ? *)',
    'cron(0 10 ? * 6L *)', 'cron(0 4 ? JAN,JUL SUN *)', 'cron(0 0 1-7 * ? *)', 'cron(0 9 15W * ? *)', 'rate(1 day)', 'rate(23 hours)',
  ]) {
    test(`accepted: ${expr}`, async () => {
      const name = await newSecret('valid');
      await rotate(name, { ScheduleExpression: expr });
      const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
      assert.equal(d.RotationRules!.ScheduleExpression, expr);
      assert.ok(d.NextRotationDate!.getTime() > Date.now() - DAY);
    });
  }

  test('later calls keep the stored function ARN and replace the rules', async () => {
    const name = await newSecret('update');
    await rotate(name, { AutomaticallyAfterDays: 5 });
    await sm.send(new RotateSecretCommand({ SecretId: name, RotationRules: { ScheduleExpression: 'cron(0 6 ? * MON *)' }, RotateImmediately: false }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationLambdaARN, lambda);
    assert.equal(d.RotationRules!.ScheduleExpression, 'cron(0 6 ? * MON *)');
    assert.equal(d.NextRotationDate!.getUTCDay(), 1, 'a Monday');
    const other = otherLambda;
    await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: other, RotateImmediately: false }));
    const d2 = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d2.RotationLambdaARN, other);
    assert.equal(d2.RotationRules!.ScheduleExpression, 'cron(0 6 ? * MON *)', 'rules are kept when none are given');
  });

  test('rotation fields are absent until rotation is configured', async () => {
    const name = await newSecret('fresh');
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    for (const field of ['RotationEnabled', 'RotationLambdaARN', 'RotationRules', 'NextRotationDate', 'LastRotatedDate'] as const) {
      assert.equal(d[field], undefined, field);
    }
  });

  test('through the AWS CLI', async () => {
    const name = await newSecret('cli');
    const res = await awsCli(server, ['secretsmanager', 'rotate-secret', '--secret-id', name, '--rotation-lambda-arn', lambda,
      '--rotation-rules', JSON.stringify({ ScheduleExpression: 'cron(0 8 ? * MON *)', Duration: '3h' }), '--no-rotate-immediately']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.Name, name);
    const described = await awsCli(server, ['secretsmanager', 'describe-secret', '--secret-id', name]);
    assert.equal(described.json.RotationEnabled, true);
    assert.equal(described.json.RotationRules.ScheduleExpression, 'cron(0 8 ? * MON *)');
    assert.equal(described.json.RotationRules.Duration, '3h');
    const both = await awsCli(server, ['secretsmanager', 'rotate-secret', '--secret-id', name,
      '--rotation-rules', JSON.stringify({ AutomaticallyAfterDays: 3, ScheduleExpression: 'rate(3 days)' })]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /InvalidParameterException/);
    assert.match(both.stderr, /You cannot specify both rotation frequency and schedule expression together\./);
  });
});

describe('RotateSecret refusals change nothing', () => {
  test('no function ARN given and none stored → InvalidRequestException', async () => {
    const name = await newSecret('no-lambda');
    await failsAndChangesNothing(sm, name, () => rotate(name, { AutomaticallyAfterDays: 7 }, null), 'InvalidRequestException', NO_LAMBDA);
    await failsAndChangesNothing(sm, name, () => sm.send(new RotateSecretCommand({ SecretId: name })), 'InvalidRequestException', NO_LAMBDA);
  });

  for (const arn of ['not-an-arn', 'arn:aws:lambda:us-east-1:123:function:f', 'arn:aws:s3:::bucket', 'arn:aws:lambda:us-east-1:123456789012:layer:x']) {
    test(`an invalid function ARN (${arn}) → InvalidParameterException`, async () => {
      const name = await newSecret('bad-arn');
      await failsAndChangesNothing(sm, name, () => rotate(name, { AutomaticallyAfterDays: 7 }, arn), 'InvalidParameterException');
    });
  }

  test('AutomaticallyAfterDays outside 1–1000 → ValidationException', async () => {
    const name = await newSecret('days-range');
    await failsAndChangesNothing(sm, name, () => rotate(name, { AutomaticallyAfterDays: 0 }), 'ValidationException',
      /Value '0' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    await failsAndChangesNothing(sm, name, () => rotate(name, { AutomaticallyAfterDays: 1001 }), 'ValidationException',
      /Value '1001' at 'rotationRules.automaticallyAfterDays' failed to satisfy constraint: Member must have value less than or equal to 1000/);
    await rotate(name, { AutomaticallyAfterDays: 1000 });
    await rotate(name, { AutomaticallyAfterDays: 1 });
  });

  test('both AutomaticallyAfterDays and ScheduleExpression → InvalidParameterException with AWS text', async () => {
    const name = await newSecret('both');
    await rotate(name, { AutomaticallyAfterDays: 9 });
    await failsAndChangesNothing(sm, name, () => rotate(name, { AutomaticallyAfterDays: 30, ScheduleExpression: 'rate(10 days)' }), 'InvalidParameterException', BOTH);
  });

  test('rules with neither a frequency nor a schedule → InvalidParameterException', async () => {
    const name = await newSecret('neither');
    await failsAndChangesNothing(sm, name, () => rotate(name, { Duration: '2h' }), 'InvalidParameterException');
  });

  for (const expr of [
    'rate(1 hour)', 'rate(3 hours)', 'rate(0 days)', 'rate(5 minutes)', 'rate(1000 days)', 'daily',
    'cron(5 10 * * ? *)', 'cron(0 10 * * ? 2030)', 'cron(0 10 * * * *)', 'cron(0 10 ? * ? *)', 'cron(0 10 * * ?)',
    'cron(0 25 * * ? *)', 'cron(0 1,3 * * ? *)', 'cron(0 10 ? * 2#6 *)', 'cron(0 10 31 2 ? *)', 'cron(0 10 ? FOO MON *)',
  ]) {
    test(`rejected: ${expr} → InvalidParameterException`, async () => {
      const name = await newSecret('invalid');
      await failsAndChangesNothing(sm, name, () => rotate(name, { ScheduleExpression: expr }), 'InvalidParameterException', /ScheduleExpression/);
    });
  }

  test('a ScheduleExpression with characters outside the model pattern → ValidationException', async () => {
    const name = await newSecret('pattern');
    await failsAndChangesNothing(sm, name, () => rotate(name, { ScheduleExpression: 'rate(1 day);' }), 'ValidationException', /scheduleExpression/i);
  });

  const durations: [string, RotationRulesType, string, RegExp][] = [
    ['25h', { AutomaticallyAfterDays: 1, Duration: '25h' }, 'InvalidParameterException', /Duration/],
    ['0h', { AutomaticallyAfterDays: 1, Duration: '0h' }, 'InvalidParameterException', /Duration/],
    ['1d (pattern)', { AutomaticallyAfterDays: 1, Duration: '1d' }, 'ValidationException', /rotationRules.duration/],
    ['1000h (length)', { AutomaticallyAfterDays: 1, Duration: '1000h' }, 'ValidationException', /rotationRules.duration/],
    ['5h with rate(4 hours): reaches the next window', { ScheduleExpression: 'rate(4 hours)', Duration: '5h' }, 'InvalidParameterException', /Duration/],
    ['3h from 22:00: reaches the next UTC day', { ScheduleExpression: 'cron(0 22 * * ? *)', Duration: '3h' }, 'InvalidParameterException', /Duration/],
  ];
  for (const [what, rules, code, message] of durations) {
    test(`Duration ${what} → ${code}`, async () => {
      const name = await newSecret('duration');
      await failsAndChangesNothing(sm, name, () => rotate(name, rules), code, message);
    });
  }

  test('Durations that fit are accepted', async () => {
    const name = await newSecret('duration-ok');
    await rotate(name, { AutomaticallyAfterDays: 1, Duration: '24h' });
    await rotate(name, { ScheduleExpression: 'rate(4 hours)', Duration: '4h' });
    await rotate(name, { ScheduleExpression: 'cron(0 22 * * ? *)', Duration: '2h' });
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationRules!.Duration, '2h');
  });

  test('an unknown secret → ResourceNotFoundException', async () => {
    await rejectsWith(rotate('rot/unknown', { AutomaticallyAfterDays: 7 }), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    await rejectsWith(sm.send(new CancelRotateSecretCommand({ SecretId: 'rot/unknown' })), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  });
});

describe('CancelRotateSecret', () => {
  test('turns rotation off and keeps the function ARN and rules', async () => {
    const name = await newSecret('cancel');
    await rotate(name, { ScheduleExpression: 'rate(7 days)', Duration: '2h' });
    const { $metadata: _m, ...out } = await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    assert.equal(out.Name, name);
    assert.match(out.ARN!, /:secret:rot\/cancel-/);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationEnabled, false);
    assert.equal(d.RotationLambdaARN, lambda);
    assert.equal(d.RotationRules!.ScheduleExpression, 'rate(7 days)');
    assert.equal(d.RotationRules!.Duration, '2h');
    assert.equal(d.NextRotationDate, undefined, 'no rotation is scheduled');
  });

  test('RotateSecret afterwards re-enables rotation with the stored ARN', async () => {
    const name = await newSecret('reenable');
    await rotate(name, { AutomaticallyAfterDays: 3 });
    await sm.send(new CancelRotateSecretCommand({ SecretId: name }));
    await sm.send(new RotateSecretCommand({ SecretId: name, RotateImmediately: false }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    assert.equal(d.RotationEnabled, true);
    assert.equal(d.RotationLambdaARN, lambda);
    assert.deepEqual(d.RotationRules, { AutomaticallyAfterDays: 3 });
    assert.ok(d.NextRotationDate instanceof Date);
  });

  test('through the AWS CLI', async () => {
    const name = await newSecret('cancel-cli');
    await rotate(name, { AutomaticallyAfterDays: 3 });
    const res = await awsCli(server, ['secretsmanager', 'cancel-rotate-secret', '--secret-id', name]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.json.Name, name);
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: name }))).RotationEnabled, false);
  });
});
