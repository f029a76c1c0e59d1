/**
 * Secrets Manager's ValidateResourcePolicy findings, in AWS's shape
 * (`PolicyValidationPassed`, `ValidationErrors: [{CheckName, ErrorMessage}]`), through
 * @aws-sdk/client-secrets-manager and the AWS CLI: syntax, statements that match nothing (the
 * faulty seed examples: a `{"Policy": …}` wrapper, an action that does not exist, a secret ARN
 * without its six-character suffix, placeholders), broad access, and a lock-out of the caller.
 * Each finding names the element at fault. Nothing is stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetResourcePolicyCommand, ValidateResourcePolicyCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { S000_FUNCTION_POLICY, S003_BY_NAME, S003_MASTER_STATEMENT, S003_STAGE } from '../src/iam/seed-examples.ts';

/** A seed's identity policy (or statement) made into a resource policy: each statement gets a Principal. */
function asResourcePolicy(text: string, principal: unknown): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  const doc = 'Statement' in parsed ? parsed : { Version: '2012-10-17', Statement: [parsed] };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return JSON.stringify({ ...doc, Statement: statements.map((s) => ({ Principal: principal, ...(s as object) })) });
}

describe('ValidateResourcePolicy findings', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let account: { AWS: string };
  const validate = async (text: string, secretId?: string) => {
    const { $metadata: _m, ...out } = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: text, SecretId: secretId }));
    return out;
  };
  const checks = (out: { ValidationErrors?: { CheckName?: string }[] }) => (out.ValidationErrors ?? []).map((e) => e.CheckName);

  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
    account = { AWS: `arn:aws:iam::${server.accountId}:root` };
  });
  after(() => server?.destroy());

  test('a sound policy passes with no findings', async () => {
    const out = await validate(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: account, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }));
    assert.deepEqual(out, { PolicyValidationPassed: true, ValidationErrors: [] });
  });

  test('seed 003, {"Policy": …} wrapper as printed: the wrapper is the finding', async () => {
    const out = await validate(S003_STAGE);
    assert.equal(out.PolicyValidationPassed, false);
    assert.equal(out.ValidationErrors![0]!.CheckName, 'UNKNOWN_ELEMENT');
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, /Policy/);
    for (const e of out.ValidationErrors!) assert.deepEqual(Object.keys(e).sort(), ['CheckName', 'ErrorMessage']);
  });

  test('seed 003, unwrapped: secretsmanager:GetSecret is not an action (Statement[0].Action)', async () => {
    const inner = JSON.stringify((JSON.parse(S003_STAGE) as { Policy: unknown }).Policy);
    const out = await validate(asResourcePolicy(inner, account));
    assert.equal(out.PolicyValidationPassed, false);
    assert.deepEqual(checks(out), ['UNDEFINED_ACTION']);
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, /Statement\[0\]\.Action: "secretsmanager:GetSecret" is not a Secrets Manager action/);
  });

  test('seed 003, master secret statement: an ARN without the six-character suffix matches no secret', async () => {
    const out = await validate(asResourcePolicy(S003_MASTER_STATEMENT, account));
    assert.deepEqual(checks(out), ['SECRET_ARN_WITHOUT_SUFFIX']);
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, /Statement\[0\]\.Resource: .*MyDatabaseMasterSecret.*-\?\?\?\?\?\?/);
  });

  test('seed 003, by name: <region> and <account-id-number> placeholders; seed 000: a placeholder Resource is a syntax error', async () => {
    const byName = await validate(asResourcePolicy(S003_BY_NAME, account));
    assert.equal(byName.PolicyValidationPassed, false);
    assert.deepEqual([...new Set(checks(byName))].sort(), ['ARN_ACCOUNT_FORMAT', 'ARN_REGION_FORMAT']);
    assert.ok(byName.ValidationErrors!.every((e) => /Statement\[1\]\.Resource/.test(e.ErrorMessage!)));
    const lambda = await validate(S000_FUNCTION_POLICY);
    assert.equal(lambda.ValidationErrors![0]!.CheckName, 'RESOURCE_FORMAT');
    assert.match(lambda.ValidationErrors![0]!.ErrorMessage!, /must be in ARN format or "\*"/);
  });

  test('broad access: an Allow for "*" that no condition narrows', async () => {
    const open = { Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' };
    const out = await validate(JSON.stringify({ Version: '2012-10-17', Statement: [open] }));
    assert.deepEqual(checks(out), ['BROAD_ACCESS']);
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, /^Statement\[0\] allows broad access/);
    const narrowed = await validate(JSON.stringify({ Version: '2012-10-17', Statement: [{ ...open, Condition: { StringEquals: { 'aws:PrincipalAccount': server.accountId } } }] }));
    assert.equal(narrowed.PolicyValidationPassed, true);
  });

  test('lock-out: a Deny of the caller\'s own Put/DeleteResourcePolicy on the secret', async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'vrp/locked', SecretString: 'x' }));
    const deny = (resource: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: account, Action: ['secretsmanager:PutResourcePolicy', 'secretsmanager:DeleteResourcePolicy'], Resource: resource }],
    });
    const out = await validate(deny('*'), 'vrp/locked');
    assert.deepEqual(checks(out), ['LOCKOUT', 'LOCKOUT']);
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, new RegExp(`^Statement\\[0\\] denies arn:aws:iam::${server.accountId}:root secretsmanager:PutResourcePolicy on ${ARN}`));
    // A Deny aimed at another secret does not lock this one.
    assert.equal((await validate(deny(`arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:other-AbCdEf`), 'vrp/locked')).PolicyValidationPassed, true);
    // Validating stores nothing.
    assert.equal((await sm.send(new GetResourcePolicyCommand({ SecretId: 'vrp/locked' }))).ResourcePolicy, undefined);
  });

  test('through the AWS CLI', async () => {
    const out = await awsCli(server, ['secretsmanager', 'validate-resource-policy', '--resource-policy', asResourcePolicy(S003_MASTER_STATEMENT, account)]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.json.PolicyValidationPassed, false);
    assert.deepEqual(out.json.ValidationErrors.map((e: { CheckName: string }) => e.CheckName), ['SECRET_ARN_WITHOUT_SUFFIX']);
  });
});
