/**
 * BatchGetSecretValue: a list of ids or ListSecrets filters (exactly one), per-secret failures
 * reported in Errors while the call itself succeeds, the fields of each value, and paging
 * through a filtered batch. Debian's AWS CLI v2.9 predates this operation, so only the SDK
 * and hand-signed requests drive it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { tick } from './helpers/listing.ts';
import { SECRET_NOT_FOUND as NOT_FOUND, MARKED_FOR_DELETION as MARKED } from './helpers/messages.ts';


let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

async function create(Name: string, value: { SecretString?: string; SecretBinary?: Uint8Array } = { SecretString: `value of ${Name}` }) {
  const out = await sm.send(new CreateSecretCommand({ Name, ...value }));
  await tick();
  return out;
}

describe('with SecretIdList', () => {
  test('returns each value with the fields of GetSecretValue, in the order asked', async () => {
    const a = await create('bg-list-a');
    const b = await create('bg-list-b', { SecretBinary: new Uint8Array([0, 1, 2, 255]) });
    await sm.send(new PutSecretValueCommand({ SecretId: 'bg-list-a', SecretString: 'second value of bg-list-a' }));
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['bg-list-b', a.ARN!] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Errors, undefined);
    assert.equal(out.NextToken, undefined);
    assert.equal(out.SecretValues!.length, 2);
    const [vb, va] = out.SecretValues!;
    for (const [entry, id] of [[va!, 'bg-list-a'], [vb!, 'bg-list-b']] as const) {
      const { $metadata: _m, ...single } = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.deepEqual(entry, single);
    }
    assert.equal(va!.SecretString, 'second value of bg-list-a');
    assert.deepEqual(va!.VersionStages, ['AWSCURRENT']);
    assert.equal(vb!.ARN, b.ARN);
    assert.deepEqual([...vb!.SecretBinary!], [0, 1, 2, 255]);
    assert.equal(vb!.SecretString, undefined);
    assert.ok(vb!.CreatedDate instanceof Date);
  });

  test('names, full ARNs and partial ARNs all resolve', async () => {
    const c = await create('bg-ids-c');
    const partial = c.ARN!.slice(0, -7);
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['bg-ids-c', c.ARN!, partial] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.ARN), [c.ARN, c.ARN, c.ARN]);
    assert.equal(out.Errors, undefined);
  });

  test('a missing secret is an entry in Errors, and the call still succeeds', async () => {
    await create('bg-missing-there');
    const arn = `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:bg-missing-nothere-AbCdEf`;
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['bg-missing-nothere', 'bg-missing-there', arn] }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(out.SecretValues!.map((v) => v.Name), ['bg-missing-there']);
    assert.deepEqual(out.Errors, [
      { SecretId: 'bg-missing-nothere', ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND },
      { SecretId: arn, ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND },
    ]);
  });

  test('when nothing is found, SecretValues is an empty list', async () => {
    const res = await signedRequest(server, {
      target: 'secretsmanager.BatchGetSecretValue',
      body: JSON.stringify({ SecretIdList: ['bg-none-1', 'bg-none-2'] }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
      SecretValues: [],
      Errors: [
        { SecretId: 'bg-none-1', ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND },
        { SecretId: 'bg-none-2', ErrorCode: 'ResourceNotFoundException', Message: NOT_FOUND },
      ],
    });
  });

  test('a secret marked for deletion and a secret without a value are errors of their own', async () => {
    await create('bg-state-ok');
    await create('bg-state-deleted');
    await sm.send(new DeleteSecretCommand({ SecretId: 'bg-state-deleted', RecoveryWindowInDays: 7 }));
    await sm.send(new CreateSecretCommand({ Name: 'bg-state-empty' }));
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['bg-state-deleted', 'bg-state-ok', 'bg-state-empty'] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.Name), ['bg-state-ok']);
    assert.deepEqual(out.Errors, [
      { SecretId: 'bg-state-deleted', ErrorCode: 'InvalidRequestException', Message: MARKED },
      { SecretId: 'bg-state-empty', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" },
    ]);
  });

  test('1 to 20 ids; an empty list or more than 20 is a ValidationException', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `bg-twenty-${i}`);
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: twenty }));
    assert.equal(out.Errors!.length, 20);
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ SecretIdList: [...twenty, 'one-more'] })), 'ValidationException',
      /^1 validation error detected: Value '.*' at 'secretIdList' failed to satisfy constraint: Member must have length less than or equal to 20$/);
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ SecretIdList: [] })), 'ValidationException',
      /at 'secretIdList' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  });
});

describe('which parameters may be combined', () => {
  test('neither SecretIdList nor Filters → InvalidParameterException', async () => {
    const err = await rejectsWith(sm.send(new BatchGetSecretValueCommand({})), 'InvalidParameterException',
      "Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    assert.equal(err.$metadata?.httpStatusCode, 400);
  });

  test('both SecretIdList and Filters → InvalidParameterException', async () => {
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['x'], Filters: [{ Key: 'name', Values: ['x'] }] })),
      'InvalidParameterException', "Either 'SecretIdList' or 'Filters' must be provided, but not both.");
  });

  test('MaxResults without Filters → InvalidParameterException', async () => {
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['x'], MaxResults: 5 })), 'InvalidParameterException',
      "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.");
  });

  test('MaxResults outside 1–20 → ValidationException', async () => {
    const Filters = [{ Key: 'name' as const, Values: ['bg-'] }];
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ Filters, MaxResults: 21 })), 'ValidationException',
      "1 validation error detected: Value '21' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 20");
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ Filters, MaxResults: 0 })), 'ValidationException',
      "1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1");
  });

  test('filters are checked as ListSecrets checks them', async () => {
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'nope' as never, Values: ['x'] }] })), 'ValidationException',
      /^1 validation error detected: Value 'nope' at 'filters\.1\.member\.key' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ Filters: [{ Values: ['x'] }] })), 'InvalidParameterException', 'Invalid filter key');
  });
});

describe('with Filters', () => {
  const names = Array.from({ length: 5 }, (_, i) => `bg-filter-${i}`);
  before(async () => {
    for (const name of names) await create(name);
    await create('bg-filter-deleted');
    await sm.send(new DeleteSecretCommand({ SecretId: 'bg-filter-deleted', RecoveryWindowInDays: 7 }));
    await create('bg-other');
  });

  test('returns the values of the secrets the filters match, oldest first, skipping planned deletions', async () => {
    const out = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-filter-'] }] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.Name), names);
    assert.deepEqual(out.SecretValues!.map((v) => v.SecretString), names.map((n) => `value of ${n}`));
    assert.equal(out.Errors, undefined);
    assert.equal(out.NextToken, undefined);
  });

  test('filters combine as in ListSecrets', async () => {
    const out = await sm.send(new BatchGetSecretValueCommand({
      Filters: [{ Key: 'name', Values: ['bg-filter-1', 'bg-filter-3', 'bg-other'] }, { Key: 'name', Values: ['!bg-other'] }],
    }));
    assert.deepEqual(out.SecretValues!.map((v) => v.Name), ['bg-filter-1', 'bg-filter-3']);
  });

  test('MaxResults and NextToken page through every match once', async () => {
    for (const MaxResults of [1, 2, 5]) {
      const seen: string[] = [];
      let NextToken: string | undefined;
      let calls = 0;
      do {
        const out = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-filter-'] }], MaxResults, NextToken }));
        assert.ok(out.SecretValues!.length <= MaxResults);
        seen.push(...out.SecretValues!.map((v) => v.Name!));
        NextToken = out.NextToken;
        calls++;
      } while (NextToken);
      assert.deepEqual(seen, names, `MaxResults ${MaxResults}`);
      assert.equal(calls, Math.ceil(names.length / MaxResults));
    }
  });

  test('without MaxResults a page holds at most 20 values', async () => {
    const many = Array.from({ length: 22 }, (_, i) => `bg-many-${String(i).padStart(2, '0')}`);
    for (const Name of many) await sm.send(new CreateSecretCommand({ Name, SecretString: 'v' }));
    const first = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-many-'] }] }));
    assert.equal(first.SecretValues!.length, 20);
    assert.ok(first.NextToken);
    const second = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-many-'] }], NextToken: first.NextToken }));
    assert.equal(second.SecretValues!.length, 2);
    assert.equal(second.NextToken, undefined);
    assert.deepEqual([...first.SecretValues!, ...second.SecretValues!].map((v) => v.Name).sort(), many);
  });

  test('an invalid NextToken → InvalidNextTokenException', async () => {
    await rejectsWith(sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-filter-'] }], NextToken: 'not-a-token' })),
      'InvalidNextTokenException');
  });

  test('a matched secret without a value is reported in Errors', async () => {
    await create('bg-filterempty-a');
    await sm.send(new CreateSecretCommand({ Name: 'bg-filterempty-b' }));
    const out = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-filterempty-'] }] }));
    assert.deepEqual(out.SecretValues!.map((v) => v.Name), ['bg-filterempty-a']);
    assert.equal(out.Errors!.length, 1);
    assert.equal(out.Errors![0]!.ErrorCode, 'ResourceNotFoundException');
    assert.match(out.Errors![0]!.SecretId!, /^arn:aws:secretsmanager:us-east-1:\d{12}:secret:bg-filterempty-b-[A-Za-z0-9]{6}$/);
  });

  test('reading through a batch sets LastAccessedDate like GetSecretValue', async () => {
    await create('bg-accessed');
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: 'bg-accessed' }))).LastAccessedDate, undefined);
    await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['bg-accessed'] }] }));
    const accessed = (await sm.send(new DescribeSecretCommand({ SecretId: 'bg-accessed' }))).LastAccessedDate;
    assert.ok(accessed instanceof Date);
    assert.equal(accessed.getTime() % 86_400_000, 0);
  });
});
