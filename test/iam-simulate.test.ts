/**
 * The IAM policy simulator (SimulateCustomPolicy, SimulatePrincipalPolicy) through the SDK and
 * `aws iam simulate-custom-policy`, and `coffer explain` on the same server's database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AttachUserPolicyCommand, CreatePolicyCommand, CreateUserCommand, PutUserPolicyCommand,
  SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand, type IAMClient, type Statement,
} from '@aws-sdk/client-iam';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { runCoffer } from './helpers/process.ts';
import { signedRequest } from './helpers/raw.ts';

const READ = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
    { Sid: 'NoProd', Effect: 'Deny', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:*:*:secret:prod/*' },
  ],
}, null, 2);

describe('IAM policy simulator', () => {
  let server: TestServer;
  let iam: IAMClient;
  before(async () => {
    server = await startServer();
    iam = iamClient(server);
  });
  after(() => server?.destroy());

  const secret = (name: string) => `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:${name}-AbCdEf`;

  test('SimulateCustomPolicy: allowed, explicitDeny and implicitDeny, with statement positions', async () => {
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [READ],
      ActionNames: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      ResourceArns: [secret('dev/db'), secret('prod/db')],
    }));
    const r = out.EvaluationResults!;
    assert.equal(r.length, 4);
    const find = (action: string, res: string) => r.find((e) => e.EvalActionName === action && e.EvalResourceName === res)!;
    const allowed = find('secretsmanager:GetSecretValue', secret('dev/db'));
    assert.equal(allowed.EvalDecision, 'allowed');
    // AWS's positions: from just past the `[` (the first statement) to just past its `}`. The
    // extra StatementText element is skipped by the SDK: the object has only the model's members.
    assert.deepEqual(allowed.MatchedStatements, [{
      SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy',
      StartPosition: { Line: 3, Column: 17 }, EndPosition: { Line: 9, Column: 6 },
    }]);
    assert.equal(allowed.ResourceSpecificResults![0]!.EvalResourceDecision, 'allowed');
    const denied = find('secretsmanager:GetSecretValue', secret('prod/db'));
    assert.equal(denied.EvalDecision, 'explicitDeny');
    // The second statement starts where the first ends (line 9, just past its `}`).
    assert.deepEqual(denied.MatchedStatements!.map((m) => [m.StartPosition!.Line, m.StartPosition!.Column]).sort(), [[3, 17], [9, 6]]);
    assert.equal(find('secretsmanager:PutSecretValue', secret('dev/db')).EvalDecision, 'implicitDeny');
    assert.deepEqual(find('secretsmanager:PutSecretValue', secret('dev/db')).MatchedStatements, []);
  });

  test('SimulateCustomPolicy: context entries, missing context values, boundary, paging', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } },
    });
    const without = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['secretsmanager:ListSecrets'] }));
    assert.equal(without.EvaluationResults![0]!.EvalDecision, 'implicitDeny');
    assert.deepEqual(without.EvaluationResults![0]!.MissingContextValues, ['aws:PrincipalTag/team']);
    const withTag = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [policy], ActionNames: ['secretsmanager:ListSecrets'],
      ContextEntries: [{ ContextKeyName: 'aws:PrincipalTag/team', ContextKeyValues: ['blue'], ContextKeyType: 'string' }],
    }));
    assert.equal(withTag.EvaluationResults![0]!.EvalDecision, 'allowed');

    const boundary = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:Describe*', Resource: '*' } });
    const bounded = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [READ], PermissionsBoundaryPolicyInputList: [boundary],
      ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [secret('dev/x')],
    }));
    assert.equal(bounded.EvaluationResults![0]!.EvalDecision, 'implicitDeny');
    assert.deepEqual(bounded.EvaluationResults![0]!.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });

    const first = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [READ], ActionNames: ['secretsmanager:GetSecretValue', 'secretsmanager:ListSecrets', 'secretsmanager:TagResource'], MaxItems: 2 }));
    assert.equal(first.EvaluationResults!.length, 2);
    assert.equal(first.IsTruncated, true);
    const second = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [READ], ActionNames: ['secretsmanager:GetSecretValue', 'secretsmanager:ListSecrets', 'secretsmanager:TagResource'], Marker: first.Marker }));
    assert.deepEqual(second.EvaluationResults!.map((e) => e.EvalActionName), ['secretsmanager:TagResource']);
    assert.equal(second.IsTruncated, false);
  });

  test('SimulateCustomPolicy: resource policy and caller ARN, with EvalDecisionDetails', async () => {
    const caller = `arn:aws:iam::${server.accountId}:user/rp-reader`;
    const resourcePolicy = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: caller }, Action: 'secretsmanager:GetSecretValue', Resource: '*' } });
    const empty = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [empty], ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [secret('rp')],
      ResourcePolicy: resourcePolicy, CallerArn: caller,
    }));
    const r = out.EvaluationResults![0]!;
    assert.equal(r.EvalDecision, 'allowed');
    assert.deepEqual(r.MatchedStatements!.map((m: Statement) => [m.SourcePolicyId, m.SourcePolicyType]), [['ResourcePolicy', 'Resource Policy']]);
    assert.deepEqual(r.EvalDecisionDetails, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' });
  });

  test('positions as AWS reports them: the CLI reference\'s example policy, and a second statement starting where the first ends', async () => {
    // The AWS CLI reference's simulate-custom-policy example, answered by AWS with column 38 to 167.
    const example = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}';
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [example], ActionNames: ['dynamodb:CreateBackup'],
      ContextEntries: [{ ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-04-25T11:00:00Z'], ContextKeyType: 'date' }],
    }));
    assert.deepEqual(out.EvaluationResults![0]!.MatchedStatements, [{
      SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 167 },
    }]);
    const caller = `arn:aws:iam::${server.accountId}:user/pos`;
    const resourcePolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Deny', Principal: '*', Action: 'secretsmanager:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Sid: 'B', Effect: 'Deny', Principal: { AWS: caller }, Action: 'secretsmanager:DeleteSecret', Resource: '*' },
      ],
    });
    const both = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })],
      ResourcePolicy: resourcePolicy, CallerArn: caller, ActionNames: ['secretsmanager:DeleteSecret'], ResourceArns: [secret('pos')],
      ContextEntries: [{ ContextKeyName: 'aws:SecureTransport', ContextKeyValues: ['false'], ContextKeyType: 'boolean' }],
    }));
    const fromResource = both.EvaluationResults![0]!.MatchedStatements!.filter((m) => (m.SourcePolicyType as string) === 'Resource Policy');
    assert.equal(fromResource.length, 2);
    const [first, second] = fromResource.sort((a, b) => a.StartPosition!.Column! - b.StartPosition!.Column!);
    assert.deepEqual(first!.StartPosition, { Line: 1, Column: resourcePolicy.indexOf('[') + 2 });
    assert.deepEqual(second!.StartPosition, first!.EndPosition);
    assert.deepEqual(second!.EndPosition, { Line: 1, Column: resourcePolicy.length - 1 });
  });

  test('beyond AWS: each matched statement\'s exact text in a StatementText element, which the SDK and the CLI skip', async () => {
    const text = '{"Version":"2012-10-17","Statement":[ {"Sid":"Tight","Effect":"Allow", "Action":"secretsmanager:GetSecretValue","Resource":"*"} ]}';
    const form = new URLSearchParams({ Action: 'SimulateCustomPolicy', Version: '2010-05-08', 'PolicyInputList.member.1': text, 'ActionNames.member.1': 'secretsmanager:GetSecretValue' });
    const res = await signedRequest(server, {
      service: 'iam', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    assert.equal(res.status, 200, res.body);
    const statement = '{"Sid":"Tight","Effect":"Allow", "Action":"secretsmanager:GetSecretValue","Resource":"*"}';
    assert.ok(res.body.includes(`<StatementText>${statement}</StatementText>`), res.body);
    assert.match(res.body, /<SourcePolicyType>IAM Policy<\/SourcePolicyType>/);

    const file = join(server.dataDir, 'sim-text.json');
    writeFileSync(file, JSON.stringify([text]));
    const cli = await awsCli(server, ['iam', 'simulate-custom-policy', '--policy-input-list', `file://${file}`, '--action-names', 'secretsmanager:GetSecretValue']);
    assert.equal(cli.code, 0, cli.stderr);
    const matched = (cli.json as { EvaluationResults: { MatchedStatements: Record<string, unknown>[] }[] }).EvaluationResults[0]!.MatchedStatements;
    assert.deepEqual(matched, [{ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: text.indexOf('} ]') + 2 } }]);
  });

  test('a permissions boundary\'s statements are "Permissions Boundary Policy"', async () => {
    const boundary = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' } });
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [READ], PermissionsBoundaryPolicyInputList: [boundary], ActionNames: ['secretsmanager:GetSecretValue'], ResourceArns: [secret('dev/b')],
    }));
    const r = out.EvaluationResults![0]!;
    assert.equal(r.EvalDecision, 'allowed');
    assert.deepEqual(r.MatchedStatements!.map((m) => [m.SourcePolicyId, m.SourcePolicyType]).sort(),
      [['PermissionsBoundaryPolicyInputList.1', 'Permissions Boundary Policy'], ['PolicyInputList.1', 'IAM Policy']]);
  });

  test('SimulateCustomPolicy: a malformed policy is MalformedPolicyDocument', async () => {
    await assert.rejects(
      iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":{"Effect":"Maybe","Action":"*","Resource":"*"}}'], ActionNames: ['s3:GetObject'] })),
      (e: Error) => e.name === 'MalformedPolicyDocumentException' && /Invalid effect: Maybe/.test(e.message),
    );
  });

  test('SimulatePrincipalPolicy: a user\'s inline and attached policies', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'sim-alice' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'sim-alice', PolicyName: 'read', PolicyDocument: READ }));
    const { Policy } = await iam.send(new CreatePolicyCommand({
      PolicyName: 'sim-list',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' } }),
    }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'sim-alice', PolicyArn: Policy!.Arn }));
    const arn = `arn:aws:iam::${server.accountId}:user/sim-alice`;
    const out = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: arn,
      ActionNames: ['secretsmanager:GetSecretValue', 'secretsmanager:ListSecrets', 'secretsmanager:DeleteSecret'],
      ResourceArns: [secret('dev/app')],
    }));
    const by = Object.fromEntries(out.EvaluationResults!.map((e) => [e.EvalActionName, e]));
    assert.equal(by['secretsmanager:GetSecretValue']!.EvalDecision, 'allowed');
    assert.deepEqual(by['secretsmanager:GetSecretValue']!.MatchedStatements!.map((m: Statement) => [m.SourcePolicyId, m.SourcePolicyType]), [['user_sim-alice_read', 'IAM Policy']]);
    assert.equal(by['secretsmanager:ListSecrets']!.EvalDecision, 'allowed');
    assert.deepEqual(by['secretsmanager:ListSecrets']!.MatchedStatements!.map((m: Statement) => [m.SourcePolicyId, m.SourcePolicyType]), [['sim-list', 'IAM Policy']]);
    assert.equal(by['secretsmanager:DeleteSecret']!.EvalDecision, 'implicitDeny');

    await assert.rejects(
      iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${server.accountId}:user/nobody`, ActionNames: ['s3:GetObject'] })),
      (e: Error) => e.name === 'NoSuchEntityException',
    );
  });

  test('simulating needs iam:SimulateCustomPolicy / iam:SimulatePrincipalPolicy', async () => {
    const bob = await userWithKey(iam, 'sim-bob');
    const asBob = iamClient(server, bob.credentials);
    await assert.rejects(
      asBob.send(new SimulateCustomPolicyCommand({ PolicyInputList: [READ], ActionNames: ['secretsmanager:GetSecretValue'] })),
      (e: Error) => e.name === 'AccessDenied' || e.name === 'AccessDeniedException',
    );
    await iam.send(new PutUserPolicyCommand({
      UserName: 'sim-bob', PolicyName: 'simulate',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: bob.arn } }),
    }));
    const own = await asBob.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: bob.arn, ActionNames: ['iam:SimulatePrincipalPolicy'], ResourceArns: [bob.arn] }));
    assert.equal(own.EvaluationResults![0]!.EvalDecision, 'allowed');
  });

  test('aws iam simulate-custom-policy', async () => {
    const file = join(server.dataDir, 'sim-policy.json');
    writeFileSync(file, JSON.stringify([READ]));
    const out = await awsCli(server, [
      'iam', 'simulate-custom-policy', '--policy-input-list', `file://${file}`,
      '--action-names', 'secretsmanager:GetSecretValue', '--resource-arns', secret('prod/db'), secret('dev/db'),
    ]);
    assert.equal(out.code, 0, out.stderr);
    const results = (out.json as { EvaluationResults: { EvalResourceName: string; EvalDecision: string }[] }).EvaluationResults;
    assert.deepEqual(results.map((r) => [r.EvalResourceName, r.EvalDecision]), [[secret('prod/db'), 'explicitDeny'], [secret('dev/db'), 'allowed']]);
  });

  test('coffer explain prints the decision, the statements and the failed conditions', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'explain-carol' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'explain-carol', PolicyName: 'read', PolicyDocument: READ }));
    await iam.send(new PutUserPolicyCommand({
      UserName: 'explain-carol', PolicyName: 'tagged',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'Tagged', Effect: 'Allow', Action: 'secretsmanager:DeleteSecret', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } } }),
    }));
    const principal = `arn:aws:iam::${server.accountId}:user/explain-carol`;
    const storage = ['--data-dir', server.dataDir, '--database', server.databaseUrl];

    const denied = await runCoffer(['explain', '--principal', principal, '--action', 'secretsmanager:GetSecretValue', '--resource', secret('prod/db'), ...storage]);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /decision: {2}explicitDeny/);
    assert.match(denied.stdout, /Deny by identity-based policy user_explain-carol_read \(user\), statement 1 Sid "NoProd", line 9 column 6/);
    assert.match(denied.stdout, /"Resource": "arn:aws:secretsmanager:\*:\*:secret:prod\/\*"/);

    const failed = await runCoffer(['explain', '--principal', principal, '--action', 'secretsmanager:DeleteSecret', '--resource', secret('dev/db'), '--context', 'aws:ResourceTag/env=prod', ...storage]);
    assert.equal(failed.code, 0, failed.stderr);
    assert.match(failed.stdout, /decision: {2}implicitDeny/);
    assert.match(failed.stdout, /user_explain-carol_tagged statement 0: StringEquals on aws:ResourceTag\/env/);

    const allowed = await runCoffer(['explain', '--principal', principal, '--action', 'secretsmanager:DeleteSecret', '--resource', secret('dev/db'), '--context', 'aws:ResourceTag/env=dev', ...storage]);
    assert.match(allowed.stdout, /decision: {2}allowed/);
    assert.match(allowed.stdout, /Allow by identity-based policy user_explain-carol_tagged \(user\), statement 0 Sid "Tagged"/);

    const missing = await runCoffer(['explain', '--principal', `arn:aws:iam::${server.accountId}:user/nobody`, '--action', 's3:GetObject', '--resource', '*', ...storage]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /NoSuchEntity/);
  });
});
