/**
 * The audit trail through CloudTrail's LookupEvents, with Debian's AWS CLI: every API call is
 * a CloudTrail event (who, what, where, outcome), found by event name, user name, resource
 * name and time range, paged with MaxResults/NextToken, and authorized as cloudtrail:LookupEvents.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { runCoffer } from './helpers/process.ts';

let server: TestServer;
let sm: SecretsManagerClient;
let auditor: { arn: string; credentials: Credentials };
const auditFile = join(mkdtempSync(join(tmpdir(), 'coffer-audit-')), 'audit.jsonl');

before(async () => {
  server = await startServer({ args: ['--audit-file', auditFile] });
  sm = secretsManager(server);
  const iam = iamClient(server);
  auditor = await userWithKey(iam, 'auditor');
  await iam.send(new PutUserPolicyCommand({
    UserName: 'auditor', PolicyName: 'audit',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: ['cloudtrail:LookupEvents', 'secretsmanager:CreateSecret', 'secretsmanager:GetSecretValue'], Resource: '*' },
    ] }),
  }));
});
after(() => server?.destroy());

interface LookedUp { EventId: string; EventName: string; EventTime: string; Username?: string; ReadOnly: string; AccessKeyId?: string; EventSource: string; Resources: { ResourceType: string; ResourceName: string }[]; CloudTrailEvent: string }

async function lookup(args: string[], credentials: Credentials = auditor.credentials): Promise<LookedUp[]> {
  const r = await awsCli(server, ['cloudtrail', 'lookup-events', ...args], { credentials });
  assert.equal(r.code, 0, r.stderr);
  return (r.json as { Events: LookedUp[] }).Events;
}
const by = (key: string, value: string) => ['--lookup-attributes', `AttributeKey=${key},AttributeValue=${value}`];

describe('LookupEvents', () => {
  let arn: string;
  let startedAt: number;
  before(async () => {
    startedAt = Math.floor(Date.now() / 1000) - 1;
    const mine = secretsManager(server, { credentials: auditor.credentials });
    arn = (await mine.send(new CreateSecretCommand({ Name: 'audit/app', SecretString: 'not-in-the-trail-1' }))).ARN!;
    await mine.send(new GetSecretValueCommand({ SecretId: 'audit/app' }));
    await assert.rejects(mine.send(new GetSecretValueCommand({ SecretId: 'audit/missing' })));
  });

  test('by event name: a CloudTrail event with the caller, the call and no value', async () => {
    const [e] = await lookup(by('EventName', 'CreateSecret'));
    assert.ok(e, 'a CreateSecret event');
    assert.equal(e.EventSource, 'secretsmanager.amazonaws.com');
    assert.equal(e.Username, 'auditor');
    assert.equal(e.ReadOnly, 'false');
    assert.equal(e.AccessKeyId, auditor.credentials.accessKeyId);
    // The wire carries epoch seconds; the CLI prints them as ISO 8601.
    assert.ok(Math.abs(Date.parse(e.EventTime) - Date.now()) < 120_000, `EventTime ${e.EventTime}`);
    assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::SecretsManager::Secret', ResourceName: arn }]);
    const ct = JSON.parse(e.CloudTrailEvent);
    assert.equal(ct.eventVersion, '1.09');
    assert.equal(ct.eventID, e.EventId);
    assert.deepEqual(ct.userIdentity, {
      type: 'IAMUser', principalId: ct.userIdentity.principalId, arn: auditor.arn, accountId: server.accountId,
      accessKeyId: auditor.credentials.accessKeyId, userName: 'auditor',
    });
    assert.match(ct.userIdentity.principalId, /^AIDA/);
    assert.match(ct.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(ct.eventSource, 'secretsmanager.amazonaws.com');
    assert.equal(ct.eventName, 'CreateSecret');
    assert.equal(ct.awsRegion, 'us-east-1');
    assert.equal(ct.sourceIPAddress, '127.0.0.1');
    assert.match(ct.userAgent, /aws-cli|aws-sdk-js/);
    assert.equal(ct.requestParameters.name, 'audit/app');
    assert.equal(ct.requestParameters.secretString, undefined);
    assert.equal(ct.responseElements.arn, arn);
    assert.match(ct.requestID, /^[0-9a-f-]{36}$/);
    assert.equal(ct.readOnly, false);
    assert.equal(ct.eventType, 'AwsApiCall');
    assert.equal(ct.managementEvent, true);
    assert.equal(ct.eventCategory, 'Management');
    assert.equal(ct.recipientAccountId, server.accountId);
    assert.ok(!e.CloudTrailEvent.includes('not-in-the-trail-1'));
  });

  test('a read is readOnly with no response; a failed call carries errorCode and errorMessage', async () => {
    const reads = await lookup(by('EventName', 'GetSecretValue'));
    const ok = reads.map((r) => JSON.parse(r.CloudTrailEvent)).find((c) => !c.errorCode);
    assert.ok(ok);
    assert.equal(ok.readOnly, true);
    assert.equal(ok.responseElements, null);
    assert.deepEqual(ok.requestParameters, { secretId: 'audit/app' });
    const failed = reads.map((r) => JSON.parse(r.CloudTrailEvent)).find((c) => c.errorCode);
    assert.equal(failed.errorCode, 'ResourceNotFoundException');
    assert.equal(failed.errorMessage, "Secrets Manager can't find the specified secret.");
  });

  test('by user name, resource name (name or ARN), event id, access key and read-only', async () => {
    const mine = await lookup(by('Username', 'auditor'));
    assert.deepEqual(new Set(mine.map((e) => e.EventName)), new Set(['CreateSecret', 'GetSecretValue', 'LookupEvents']));
    const byArn = await lookup(by('ResourceName', arn));
    assert.deepEqual(byArn.map((e) => e.EventName).sort(), ['CreateSecret', 'GetSecretValue']);
    const byName = await lookup(by('ResourceName', 'audit/app'));
    assert.deepEqual(byName.map((e) => e.EventId).sort(), byArn.map((e) => e.EventId).sort());
    const one = await lookup(by('EventId', byArn[0]!.EventId));
    assert.deepEqual(one.map((e) => e.EventId), [byArn[0]!.EventId]);
    const rootCalls = await lookup(by('AccessKeyId', server.root.accessKeyId));
    assert.ok(rootCalls.some((e) => e.EventName === 'CreateUser' && e.Username === 'root'));
    const writes = await lookup(by('ReadOnly', 'false'));
    assert.ok(writes.length > 0 && writes.every((e) => e.ReadOnly === 'false'));
    assert.ok((await lookup(by('ResourceType', 'AWS::IAM::User'))).some((e) => e.EventName === 'CreateUser'));
  });

  test('by time range, newest first', async () => {
    const later = await lookup([...by('EventName', 'CreateSecret'), '--start-time', String(Math.floor(Date.now() / 1000) + 3600)]);
    assert.deepEqual(later, []);
    const since = await lookup([...by('Username', 'auditor'), '--start-time', String(startedAt), '--end-time', String(Math.floor(Date.now() / 1000) + 5)]);
    assert.ok(since.some((e) => e.EventName === 'CreateSecret'));
    const times = since.map((e) => Date.parse(e.EventTime));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const before = await lookup([...by('EventName', 'CreateSecret'), '--end-time', String(startedAt - 3600)]);
    assert.deepEqual(before, []);
    const r = await awsCli(server, ['cloudtrail', 'lookup-events', '--start-time', '2030-01-02T00:00:00Z', '--end-time', '2030-01-01T00:00:00Z'], { credentials: auditor.credentials });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidTimeRangeException/);
  });

  test('MaxResults and NextToken page through every event once', async () => {
    const all = await lookup(by('ResourceName', arn));
    assert.equal(all.length, 2);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const r = await awsCli(server, ['cloudtrail', 'lookup-events', ...by('ResourceName', arn), '--no-paginate', '--max-results', '1', ...(token ? ['--next-token', token] : [])], { credentials: auditor.credentials });
      assert.equal(r.code, 0, r.stderr);
      const page = r.json as { Events: LookedUp[]; NextToken?: string };
      assert.equal(page.Events.length, 1);
      seen.push(page.Events[0]!.EventId);
      token = page.NextToken;
    } while (token);
    assert.deepEqual(seen, all.map((e) => e.EventId));
    const bad = await awsCli(server, ['cloudtrail', 'lookup-events', '--no-paginate', '--next-token', 'bm90LWEtdG9rZW4'], { credentials: auditor.credentials });
    assert.match(bad.stderr, /InvalidNextTokenException/);
  });

  test('more than one lookup attribute is refused', async () => {
    const r = await awsCli(server, ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=A', 'AttributeKey=Username,AttributeValue=B'], { credentials: auditor.credentials });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidLookupAttributesException/);
  });

  test('needs cloudtrail:LookupEvents, and shows only the caller\'s account', async () => {
    const iam = iamClient(server);
    const nobody = await userWithKey(iam, 'no-audit');
    const r = await awsCli(server, ['cloudtrail', 'lookup-events'], { credentials: nobody.credentials });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /AccessDeniedException/);
    assert.match(r.stderr, /no-audit is not authorized to perform: cloudtrail:LookupEvents/);
    const all = await lookup([], server.root);
    assert.ok(all.length > 0);
    for (const e of all) assert.equal(JSON.parse(e.CloudTrailEvent).recipientAccountId, server.accountId);
  });

  test('--audit-file streams the same events as JSON lines, mode 0600', async () => {
    const [e] = await lookup(by('EventName', 'CreateSecret'));
    const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(lines.some((l) => l.eventID === e!.EventId && l.eventName === 'CreateSecret'));
    assert.equal(statSync(auditFile).mode & 0o777, 0o600);
  });
});

test('an audit file that cannot be opened refuses the start, exit 1', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-audit-'));
  const r = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--audit-file', join(dataDir, 'missing', 'audit.jsonl')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot open the audit file .*missing\/audit\.jsonl: ENOENT/);
});
