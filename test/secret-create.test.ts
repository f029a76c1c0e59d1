/**
 * CreateSecret (value kinds, ARNs, name rules, name conflicts) and how every SecretId is
 * resolved: by name, by full ARN, by partial ARN.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteResourcePolicyCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutResourcePolicyCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { failsAndChangesNothing, rejectsWith, snapshot, token } from './helpers/secrets.ts';
import { SECRET_NOT_FOUND as NOT_FOUND, INVALID_NAME } from './helpers/messages.ts';


let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

const arnPattern = (name: string) => new RegExp(`^arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:${name.replace(/[.+/]/g, '\\$&')}-[A-Za-z0-9]{6}$`);

describe('CreateSecret', () => {
  test('with a SecretString: ARN, Name and VersionId = the ClientRequestToken; v1 is AWSCURRENT', async () => {
    const t = token();
    const out = await sm.send(new CreateSecretCommand({ Name: 'create/string', SecretString: 's1', ClientRequestToken: t, Description: 'the first' }));
    assert.match(out.ARN!, arnPattern('create/string'));
    assert.equal(out.Name, 'create/string');
    assert.equal(out.VersionId, t);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'create/string' }));
    assert.equal(d.ARN, out.ARN);
    assert.equal(d.Description, 'the first');
    assert.deepEqual(d.VersionIdsToStages, { [t]: ['AWSCURRENT'] });
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'create/string' }));
    assert.equal(got.SecretString, 's1');
    assert.equal(got.SecretBinary, undefined);
    assert.equal(got.VersionId, t);
    assert.deepEqual(got.VersionStages, ['AWSCURRENT']);
  });

  test('with a SecretBinary: the bytes come back as bytes', async () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const out = await sm.send(new CreateSecretCommand({ Name: 'create/binary', SecretBinary: bytes }));
    assert.ok(out.VersionId);
    const got = await sm.send(new GetSecretValueCommand({ SecretId: out.ARN }));
    assert.equal(got.SecretString, undefined);
    assert.deepEqual(Buffer.from(got.SecretBinary!), Buffer.from(bytes));
  });

  test('with neither: no VersionId, no versions, and GetSecretValue finds no AWSCURRENT', async () => {
    const out = await sm.send(new CreateSecretCommand({ Name: 'create/empty' }));
    assert.match(out.ARN!, arnPattern('create/empty'));
    assert.equal(out.VersionId, undefined);
    const raw = await signedRequest(server, { target: 'secretsmanager.DescribeSecret', body: JSON.stringify({ SecretId: 'create/empty' }) });
    assert.equal(raw.status, 200);
    assert.equal('VersionIdsToStages' in raw.json, false);
    assert.equal('Description' in raw.json, false);
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'create/empty', IncludeDeprecated: true }));
    assert.deepEqual(versions.Versions, []);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'create/empty' })), 'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  test('an empty Description is not shown', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'create/empty-description', Description: '', SecretString: 'x' }));
    const raw = await signedRequest(server, { target: 'secretsmanager.DescribeSecret', body: JSON.stringify({ SecretId: 'create/empty-description' }) });
    assert.equal('Description' in raw.json, false);
  });

  test('a name taken → ResourceExistsException, and the existing secret is untouched', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'create/taken', SecretString: 'original', Description: 'keep' }));
    await failsAndChangesNothing(sm, 'create/taken',
      () => sm.send(new CreateSecretCommand({ Name: 'create/taken', SecretString: 'other', Description: 'lost' })),
      'ResourceExistsException', 'The operation failed because the secret create/taken already exists.');
    await failsAndChangesNothing(sm, 'create/taken',
      () => sm.send(new CreateSecretCommand({ Name: 'create/taken' })),
      'ResourceExistsException', 'The operation failed because the secret create/taken already exists.');
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'create/taken' }))).SecretString, 'original');
  });

  test('a name scheduled for deletion → InvalidRequestException; after a purge the name gets a new ARN', async () => {
    const first = await sm.send(new CreateSecretCommand({ Name: 'create/recreated', SecretString: 'v' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'create/recreated', RecoveryWindowInDays: 7 }));
    await failsAndChangesNothing(sm, 'create/recreated',
      () => sm.send(new CreateSecretCommand({ Name: 'create/recreated', SecretString: 'w' })),
      'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
    await sm.send(new DeleteSecretCommand({ SecretId: 'create/recreated', ForceDeleteWithoutRecovery: true }));
    // Purging is asynchronous (as on AWS): retry the create until the name is free.
    let second;
    for (let i = 0; i < 100 && !second; i++) {
      try {
        second = await sm.send(new CreateSecretCommand({ Name: 'create/recreated', SecretString: 'w' }));
      } catch (err) {
        if ((err as Error).name !== 'InvalidRequestException' && (err as Error).name !== 'ResourceExistsException') throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(second, 'the force-deleted name never became free');
    assert.match(second.ARN!, arnPattern('create/recreated'));
    assert.notEqual(second.ARN, first.ARN);
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: first.ARN })), 'ResourceNotFoundException', NOT_FOUND);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'create/recreated' }))).SecretString, 'w');
  });

  test('every allowed name character works; a 512-character name works, 513 does not', async () => {
    const name = 'Aa0/_+=.@-chars';
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' }));
    assert.match(out.ARN!, arnPattern(name));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'v');
    const long = 'n'.repeat(512);
    assert.equal((await sm.send(new CreateSecretCommand({ Name: long }))).Name, long);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'n'.repeat(513) })), 'ValidationException');
  });

  test('invalid names → ValidationException with AWS message, and nothing is created', async () => {
    for (const name of ['has space', 'star*', 'question?', 'bracket]', 'back\\slash', 'bang!', 'colon:name', 'é']) {
      await rejectsWith(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v' })), 'ValidationException', INVALID_NAME);
    }
    const list = await sm.send(new ListSecretsCommand({ MaxResults: 100 }));
    assert.deepEqual(list.SecretList!.filter((s) => !/^[A-Za-z0-9/_+=.@-]+$/.test(s.Name!)), []);
  });
});

describe('invalid SecretId on every SecretId-taking call', () => {
  const bad = 'bad name*';
  const calls: [string, () => Promise<unknown>][] = [
    ['DescribeSecret', () => sm.send(new DescribeSecretCommand({ SecretId: bad }))],
    ['GetSecretValue', () => sm.send(new GetSecretValueCommand({ SecretId: bad }))],
    ['PutSecretValue', () => sm.send(new PutSecretValueCommand({ SecretId: bad, SecretString: 'v' }))],
    ['UpdateSecret', () => sm.send(new UpdateSecretCommand({ SecretId: bad, SecretString: 'v' }))],
    ['UpdateSecretVersionStage', () => sm.send(new UpdateSecretVersionStageCommand({ SecretId: bad, VersionStage: 'x', MoveToVersionId: token() }))],
    ['ListSecretVersionIds', () => sm.send(new ListSecretVersionIdsCommand({ SecretId: bad }))],
    ['DeleteSecret', () => sm.send(new DeleteSecretCommand({ SecretId: bad }))],
    ['RestoreSecret', () => sm.send(new RestoreSecretCommand({ SecretId: bad }))],
    ['TagResource', () => sm.send(new TagResourceCommand({ SecretId: bad, Tags: [{ Key: 'k', Value: 'v' }] }))],
    ['UntagResource', () => sm.send(new UntagResourceCommand({ SecretId: bad, TagKeys: ['k'] }))],
    ['RotateSecret', () => sm.send(new RotateSecretCommand({ SecretId: bad }))],
    ['CancelRotateSecret', () => sm.send(new CancelRotateSecretCommand({ SecretId: bad }))],
    ['GetResourcePolicy', () => sm.send(new GetResourcePolicyCommand({ SecretId: bad }))],
    ['PutResourcePolicy', () => sm.send(new PutResourcePolicyCommand({ SecretId: bad, ResourcePolicy: '{"Version":"2012-10-17","Statement":[]}' }))],
    ['DeleteResourcePolicy', () => sm.send(new DeleteResourcePolicyCommand({ SecretId: bad }))],
  ];
  for (const [name, call] of calls) {
    test(`${name} → ValidationException`, async () => {
      const e = await rejectsWith(call(), 'ValidationException', INVALID_NAME);
      assert.equal(e.$metadata?.httpStatusCode, 400);
    });
  }

  test('an unknown valid name → ResourceNotFoundException (HTTP 400)', async () => {
    const e = await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'no/such/secret' })), 'ResourceNotFoundException', NOT_FOUND);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new PutSecretValueCommand({ SecretId: 'no/such/secret', SecretString: 'v' })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new UpdateSecretCommand({ SecretId: 'no/such/secret', SecretString: 'v' })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new ListSecretVersionIdsCommand({ SecretId: 'no/such/secret' })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'no/such/secret', VersionStage: 'x', MoveToVersionId: token() })), 'ResourceNotFoundException', NOT_FOUND);
    // …and none of these created it.
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'no/such/secret' })), 'ResourceNotFoundException', NOT_FOUND);
  });
});

describe('lookup by name, full ARN and partial ARN', () => {
  test('all three find the secret; a wrong suffix or region does not', async () => {
    const out = await sm.send(new CreateSecretCommand({ Name: 'lookup/plain', SecretString: 'p' }));
    const arn = out.ARN!;
    const partial = arn.slice(0, -7);
    for (const id of ['lookup/plain', arn, partial]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      assert.equal(got.SecretString, 'p');
      assert.equal(got.ARN, arn);
      assert.equal(got.Name, 'lookup/plain');
      assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: id }))).ARN, arn);
    }
    const otherSuffix = `${partial}-${arn.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: otherSuffix })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: arn.replace(':us-east-1:', ':eu-west-1:') })), 'ResourceNotFoundException', NOT_FOUND);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'lookup/plai' })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('a name ending in -XXXXXX: name and full ARN work, the partial ARN does not', async () => {
    const name = 'lookup/Name-a1b2c3';
    const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'edge' }));
    assert.match(out.ARN!, arnPattern(name));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, 'edge');
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: out.ARN }))).SecretString, 'edge');
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: out.ARN!.slice(0, -7) })), 'ResourceNotFoundException', NOT_FOUND);
  });

  test('names ending in -a1b2 or -a1b2c3- are found by partial ARN', async () => {
    for (const name of ['lookup/short-a1b2', 'lookup/trailing-a1b2c3-']) {
      const out = await sm.send(new CreateSecretCommand({ Name: name, SecretString: name }));
      const got = await sm.send(new GetSecretValueCommand({ SecretId: out.ARN!.slice(0, -7) }));
      assert.equal(got.SecretString, name);
      assert.equal(got.ARN, out.ARN);
    }
  });

  test('a partial ARN and a name never mix up two secrets', async () => {
    const a = await sm.send(new CreateSecretCommand({ Name: 'lookup/pair', SecretString: 'a' }));
    const b = await sm.send(new CreateSecretCommand({ Name: 'lookup/pair-zzzz', SecretString: 'b' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: a.ARN!.slice(0, -7) }))).SecretString, 'a');
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: b.ARN!.slice(0, -7) }))).SecretString, 'b');
    const snapA = await snapshot(sm, 'lookup/pair');
    assert.equal(snapA.describe.ARN, a.ARN);
  });
});
