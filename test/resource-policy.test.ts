/**
 * Resource policies: Put/Get/Delete/ValidateResourcePolicy, malformed documents, the 20,480
 * character limit, BlockPublicPolicy. Policies are stored and validated here; what they
 * allow is the IAM tests' business.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  ValidateResourcePolicyCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { SECRET_NOT_FOUND as NOT_FOUND } from './helpers/messages.ts';


let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

function policy(statement: Record<string, unknown> | Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statement });
}

const accountGrant = () => policy({
  Sid: 'AllowAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` },
  Action: 'secretsmanager:GetSecretValue', Resource: '*',
});
const PUBLIC = policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' });
const PUBLIC_AWS_STAR = policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'secretsmanager:*', Resource: '*' });
const PUBLIC_NARROWED = policy({
  Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*',
  Condition: { StringEquals: { 'aws:PrincipalAccount': '123456789012' } },
});
const PUBLIC_USELESS_CONDITION = policy({
  Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*',
  Condition: { StringLike: { 'aws:UserAgent': 'aws-cli/*' } },
});
const PUBLIC_DENY = policy({ Effect: 'Deny', Principal: '*', Action: 'secretsmanager:DeleteSecret', Resource: '*' });

async function created(name: string): Promise<{ ARN: string; Name: string }> {
  const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
  return { ARN: out.ARN!, Name: out.Name! };
}

async function storedPolicy(secretId: string): Promise<string | undefined> {
  return (await sm.send(new GetResourcePolicyCommand({ SecretId: secretId }))).ResourcePolicy;
}

describe('Put/Get/DeleteResourcePolicy', () => {
  test('GetResourcePolicy without a policy → ARN and Name only', async () => {
    const secret = await created('rp/none');
    const { $metadata: _m, ...out } = await sm.send(new GetResourcePolicyCommand({ SecretId: 'rp/none' }));
    assert.deepEqual(out, { ARN: secret.ARN, Name: secret.Name });
  });

  test('put, get back exactly as written, replace, delete', async () => {
    const secret = await created('rp/cycle');
    const text = accountGrant();
    const { $metadata: _m, ...put } = await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/cycle', ResourcePolicy: text }));
    assert.deepEqual(put, { ARN: secret.ARN, Name: secret.Name });
    const got = await sm.send(new GetResourcePolicyCommand({ SecretId: secret.ARN }));
    assert.equal(got.ARN, secret.ARN);
    assert.equal(got.Name, secret.Name);
    assert.equal(got.ResourcePolicy, text);

    const pretty = JSON.stringify(JSON.parse(accountGrant()), null, 2);
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/cycle', ResourcePolicy: pretty }));
    assert.equal(await storedPolicy('rp/cycle'), pretty);

    const { $metadata: _d, ...deleted } = await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'rp/cycle' }));
    assert.deepEqual(deleted, { ARN: secret.ARN, Name: secret.Name });
    assert.equal(await storedPolicy('rp/cycle'), undefined);
    // Deleting when there is none is fine.
    await sm.send(new DeleteResourcePolicyCommand({ SecretId: 'rp/cycle' }));
  });

  test('a public policy is stored when BlockPublicPolicy is not set or false', async () => {
    await created('rp/public-allowed');
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/public-allowed', ResourcePolicy: PUBLIC }));
    assert.equal(await storedPolicy('rp/public-allowed'), PUBLIC);
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/public-allowed', ResourcePolicy: PUBLIC_AWS_STAR, BlockPublicPolicy: false }));
    assert.equal(await storedPolicy('rp/public-allowed'), PUBLIC_AWS_STAR);
  });

  test('an unknown secret → ResourceNotFoundException', async () => {
    for (const call of [
      () => sm.send(new GetResourcePolicyCommand({ SecretId: 'rp/unknown' })),
      () => sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/unknown', ResourcePolicy: accountGrant() })),
      () => sm.send(new DeleteResourcePolicyCommand({ SecretId: 'rp/unknown' })),
      () => sm.send(new ValidateResourcePolicyCommand({ SecretId: 'rp/unknown', ResourcePolicy: accountGrant() })),
    ]) {
      await rejectsWith(call(), 'ResourceNotFoundException', NOT_FOUND);
    }
  });

  test('through the AWS CLI', async () => {
    const secret = await created('rp/cli');
    const text = accountGrant();
    const put = await awsCli(server, ['secretsmanager', 'put-resource-policy', '--secret-id', 'rp/cli', '--resource-policy', text, '--block-public-policy']);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(put.json, { ARN: secret.ARN, Name: 'rp/cli' });
    const got = await awsCli(server, ['secretsmanager', 'get-resource-policy', '--secret-id', 'rp/cli']);
    assert.equal(got.json.ResourcePolicy, text);
    const blocked = await awsCli(server, ['secretsmanager', 'put-resource-policy', '--secret-id', 'rp/cli', '--resource-policy', PUBLIC, '--block-public-policy']);
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /PublicPolicyException/);
    const del = await awsCli(server, ['secretsmanager', 'delete-resource-policy', '--secret-id', 'rp/cli']);
    assert.equal(del.code, 0, del.stderr);
    const none = await awsCli(server, ['secretsmanager', 'get-resource-policy', '--secret-id', 'rp/cli']);
    assert.deepEqual(none.json, { ARN: secret.ARN, Name: 'rp/cli' });
  });
});

describe('malformed policies', () => {
  const malformed: [string, string, string | RegExp][] = [
    ['not JSON', '{"Version": "2012-10-17", "Statement": [', /^Syntax errors in policy\./],
    ['a JSON array', '[]', /^Syntax errors in policy\./],
    ['a JSON string', '"policy"', /^Syntax errors in policy\./],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), /Statement/],
    ['an invalid Effect', policy({ Effect: 'Perhaps', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*' }), /effect/i],
    ['no Principal (a resource policy must name one)', policy({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }), /Principal/],
    ['no Action', policy({ Effect: 'Allow', Principal: '*', Resource: '*' }), /Action/],
    ['an unknown Version', JSON.stringify({ Version: '2020-01-01', Statement: [] }), /.+/],
    ['an invalid principal', policy({ Effect: 'Allow', Principal: { AWS: 'not-an-arn' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }), /Invalid principal/],
    ['an unknown condition operator', policy({ Effect: 'Allow', Principal: '*', Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringMaybe: { 'aws:SourceIp': 'x' } } }), /.+/],
  ];
  for (const [what, text, message] of malformed) {
    test(`${what} → MalformedPolicyDocumentException; the stored policy is unchanged`, async () => {
      const name = `rp/malformed-${what.replace(/[^a-zA-Z]+/g, '-')}`;
      await created(name);
      const before = accountGrant();
      await sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: before }));
      await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: text })), 'MalformedPolicyDocumentException', message);
      assert.equal(await storedPolicy(name), before);
      const validated = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: text }));
      assert.equal(validated.PolicyValidationPassed, false);
      assert.ok(validated.ValidationErrors!.length >= 1);
      for (const e of validated.ValidationErrors!) {
        assert.equal(typeof e.CheckName, 'string');
        assert.ok(e.ErrorMessage!.length > 0);
      }
    });
  }

  test('20,480 characters are accepted; 20,481 → ValidationException', async () => {
    await created('rp/length');
    const base = accountGrant();
    const exact = base.slice(0, -1) + ' '.repeat(20_480 - base.length) + '}';
    assert.equal(exact.length, 20_480);
    await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/length', ResourcePolicy: exact }));
    assert.equal(await storedPolicy('rp/length'), exact);
    const tooLong = base.slice(0, -1) + ' '.repeat(20_481 - base.length) + '}';
    await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/length', ResourcePolicy: tooLong })),
      'ValidationException', /Member must have length less than or equal to 20480/);
    await rejectsWith(sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: tooLong })),
      'ValidationException', /Member must have length less than or equal to 20480/);
    assert.equal(await storedPolicy('rp/length'), exact);
  });

  test('an empty policy → ValidationException', async () => {
    await created('rp/empty');
    await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/empty', ResourcePolicy: '' })),
      'ValidationException', /Member must have length greater than or equal to 1/);
  });
});

describe('BlockPublicPolicy', () => {
  for (const [what, text] of [['Principal "*"', PUBLIC], ['Principal {"AWS": "*"}', PUBLIC_AWS_STAR], ['a condition that does not narrow the callers', PUBLIC_USELESS_CONDITION]] as const) {
    test(`${what} without a narrowing condition → PublicPolicyException, nothing stored`, async () => {
      const name = `rp/block-${what.replace(/[^a-zA-Z]+/g, '-')}`;
      await created(name);
      await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: name, ResourcePolicy: text, BlockPublicPolicy: true })), 'PublicPolicyException', /BlockPublicPolicy/);
      assert.equal(await storedPolicy(name), undefined);
    });
  }

  test('NotPrincipal with Allow grants everyone else → PublicPolicyException', async () => {
    await created('rp/block-notprincipal');
    const text = policy({ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' });
    await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/block-notprincipal', ResourcePolicy: text, BlockPublicPolicy: true })), 'PublicPolicyException');
  });

  test('a wildcard principal narrowed by aws:PrincipalAccount, a Deny for "*", or named principals are not public', async () => {
    await created('rp/block-ok');
    for (const text of [PUBLIC_NARROWED, PUBLIC_DENY, accountGrant()]) {
      await sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/block-ok', ResourcePolicy: text, BlockPublicPolicy: true }));
      assert.equal(await storedPolicy('rp/block-ok'), text);
    }
  });

  test('a malformed policy is MalformedPolicyDocumentException even with BlockPublicPolicy', async () => {
    await created('rp/block-malformed');
    await rejectsWith(sm.send(new PutResourcePolicyCommand({ SecretId: 'rp/block-malformed', ResourcePolicy: '{', BlockPublicPolicy: true })),
      'MalformedPolicyDocumentException');
  });
});

describe('ValidateResourcePolicy', () => {
  test('a good policy passes: PolicyValidationPassed true and no errors', async () => {
    const { $metadata: _m, ...out } = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: accountGrant() }));
    assert.equal(out.PolicyValidationPassed, true);
    assert.deepEqual(out.ValidationErrors ?? [], []);
  });

  test('with a SecretId, and the policy is not stored', async () => {
    await created('rp/validate');
    const out = await sm.send(new ValidateResourcePolicyCommand({ SecretId: 'rp/validate', ResourcePolicy: accountGrant() }));
    assert.equal(out.PolicyValidationPassed, true);
    assert.equal(await storedPolicy('rp/validate'), undefined);
  });

  test('a policy granting broad access fails validation with a finding', async () => {
    for (const text of [PUBLIC, PUBLIC_AWS_STAR]) {
      const out = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: text }));
      assert.equal(out.PolicyValidationPassed, false);
      assert.equal(out.ValidationErrors!.length, 1);
      assert.match(out.ValidationErrors![0]!.ErrorMessage!, /broad access/);
    }
    const narrowed = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: PUBLIC_NARROWED }));
    assert.equal(narrowed.PolicyValidationPassed, true);
  });

  test('malformed JSON is a failed validation, not an error', async () => {
    const out = await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: '{"Version":' }));
    assert.equal(out.PolicyValidationPassed, false);
    assert.equal(out.ValidationErrors!.length, 1);
    assert.match(out.ValidationErrors![0]!.ErrorMessage!, /Syntax errors in policy/);
  });

  test('through the AWS CLI', async () => {
    const ok = await awsCli(server, ['secretsmanager', 'validate-resource-policy', '--resource-policy', accountGrant()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.json.PolicyValidationPassed, true);
    const bad = await awsCli(server, ['secretsmanager', 'validate-resource-policy', '--resource-policy', PUBLIC]);
    assert.equal(bad.code, 0, bad.stderr);
    assert.equal(bad.json.PolicyValidationPassed, false);
    assert.equal(bad.json.ValidationErrors.length, 1);
    assert.deepEqual(Object.keys(bad.json.ValidationErrors[0]).sort(), ['CheckName', 'ErrorMessage']);
  });
});
