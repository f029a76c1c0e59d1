/**
 * Secret values: SecretBinary as base64 on the wire and bytes through the SDK and CLI, the
 * 65,536-byte limit, and exactly one of SecretString / SecretBinary.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { failsAndChangesNothing, rejectsWith, stagesOf, token } from './helpers/secrets.ts';

const LIMIT = 65_536;
const BOTH = "You can't specify both a binary secret value and a string secret value in the same secret.";
const tooLong = (member: string) => `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${LIMIT}`;

let server: TestServer;
let sm: SecretsManagerClient;
let scratch: string;

before(async () => {
  server = await startServer();
  sm = secretsManager(server);
  scratch = mkdtempSync(join(tmpdir(), 'coffer-values-'));
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await server?.destroy();
});

async function raw(target: string, body: Record<string, unknown>) {
  return signedRequest(server, { target: `secretsmanager.${target}`, body: JSON.stringify(body) });
}

describe('SecretBinary', () => {
  test('base64 on the wire, bytes through the SDK, every byte value intact', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const created = await raw('CreateSecret', { Name: 'bin/wire', SecretBinary: bytes.toString('base64'), ClientRequestToken: token() });
    assert.equal(created.status, 200, created.body);
    const got = await raw('GetSecretValue', { SecretId: 'bin/wire' });
    assert.equal(got.json.SecretBinary, bytes.toString('base64'));
    assert.equal('SecretString' in got.json, false);
    const sdk = await sm.send(new GetSecretValueCommand({ SecretId: 'bin/wire' }));
    assert.ok(sdk.SecretBinary instanceof Uint8Array);
    assert.deepEqual(Buffer.from(sdk.SecretBinary), bytes);
    assert.equal(sdk.SecretString, undefined);
  });

  test('a string version and a binary version of one secret each keep their kind', async () => {
    const name = 'bin/mixed';
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'text' }));
    const binId = token();
    await sm.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: Buffer.from('text'), ClientRequestToken: binId }));
    const current = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    assert.equal(current.VersionId, binId);
    assert.equal(current.SecretString, undefined);
    assert.equal(Buffer.from(current.SecretBinary!).toString(), 'text');
    const previous = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }));
    assert.equal(previous.SecretString, 'text');
    assert.equal(previous.SecretBinary, undefined);
    const updated = await sm.send(new UpdateSecretCommand({ SecretId: name, SecretBinary: new Uint8Array([1, 2, 3]) }));
    assert.deepEqual(Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: updated.VersionId }))).SecretBinary!), Buffer.from([1, 2, 3]));
  });

  test('through the AWS CLI: fileb:// in, base64 out', async () => {
    const bytes = randomBytes(300);
    const file = join(scratch, 'blob.bin');
    writeFileSync(file, bytes);
    const created = await awsCli(server, ['secretsmanager', 'create-secret', '--name', 'bin/cli', '--secret-binary', `fileb://${file}`]);
    assert.equal(created.code, 0, created.stderr);
    assert.ok(created.json.VersionId);
    const got = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'bin/cli']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(got.json.SecretBinary, bytes.toString('base64'));
    const sdk = await sm.send(new GetSecretValueCommand({ SecretId: 'bin/cli' }));
    assert.deepEqual(Buffer.from(sdk.SecretBinary!), bytes);

    const next = randomBytes(10);
    writeFileSync(file, next);
    const put = await awsCli(server, ['secretsmanager', 'put-secret-value', '--secret-id', 'bin/cli', '--secret-binary', `fileb://${file}`]);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(put.json.VersionStages, ['AWSCURRENT']);
    const again = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'bin/cli']);
    assert.equal(again.json.SecretBinary, next.toString('base64'));
  });

  test('a body that is not base64 → SerializationException', async () => {
    const res = await raw('CreateSecret', { Name: 'bin/not-base64', SecretBinary: 'not base64!', ClientRequestToken: token() });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'SerializationException');
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'bin/not-base64' })), 'ResourceNotFoundException');
  });
});

describe('the 65,536-byte limit', () => {
  test('SecretBinary: 65,536 bytes are stored and read back; 65,537 → ValidationException', async () => {
    const max = randomBytes(LIMIT);
    await sm.send(new CreateSecretCommand({ Name: 'size/binary', SecretBinary: max }));
    assert.deepEqual(Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: 'size/binary' }))).SecretBinary!), max);
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'size/binary-over', SecretBinary: randomBytes(LIMIT + 1) })),
      'ValidationException', tooLong('secretBinary'));
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'size/binary-over' })), 'ResourceNotFoundException');
    await failsAndChangesNothing(sm, 'size/binary',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'size/binary', SecretBinary: randomBytes(LIMIT + 1) })),
      'ValidationException', tooLong('secretBinary'));
    await failsAndChangesNothing(sm, 'size/binary',
      () => sm.send(new UpdateSecretCommand({ SecretId: 'size/binary', SecretBinary: randomBytes(LIMIT + 1) })),
      'ValidationException', tooLong('secretBinary'));
  });

  test('SecretString: 65,536 characters are stored and read back; 65,537 → ValidationException', async () => {
    const max = 'x'.repeat(LIMIT);
    await sm.send(new CreateSecretCommand({ Name: 'size/string', SecretString: max }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'size/string' }))).SecretString, max);
    const over = `${max}y`;
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'size/string-over', SecretString: over })), 'ValidationException', tooLong('secretString'));
    await failsAndChangesNothing(sm, 'size/string',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'size/string', SecretString: over })),
      'ValidationException', tooLong('secretString'));
    await failsAndChangesNothing(sm, 'size/string',
      () => sm.send(new UpdateSecretCommand({ SecretId: 'size/string', SecretString: over })),
      'ValidationException', tooLong('secretString'));
  });

  test('the error message never echoes the value', async () => {
    const marker = 'SENSITIVE-MARKER-';
    const res = await raw('CreateSecret', { Name: 'size/echo', SecretString: marker.repeat(Math.ceil((LIMIT + 1) / marker.length)), ClientRequestToken: token() });
    assert.equal(res.status, 400);
    assert.equal(res.json.__type, 'ValidationException');
    assert.equal(res.body.includes(marker), false);
  });
});

describe('both SecretString and SecretBinary → InvalidParameterException', () => {
  test('on CreateSecret: nothing is created', async () => {
    await rejectsWith(sm.send(new CreateSecretCommand({ Name: 'both/create', SecretString: 's', SecretBinary: Buffer.from('b') })),
      'InvalidParameterException', BOTH);
    await rejectsWith(sm.send(new DescribeSecretCommand({ SecretId: 'both/create' })), 'ResourceNotFoundException');
  });

  test('on PutSecretValue and UpdateSecret: nothing changes', async () => {
    const [v1] = [token()];
    await sm.send(new CreateSecretCommand({ Name: 'both/existing', SecretString: 'keep', ClientRequestToken: v1 }));
    await failsAndChangesNothing(sm, 'both/existing',
      () => sm.send(new PutSecretValueCommand({ SecretId: 'both/existing', SecretString: 's', SecretBinary: Buffer.from('b') })),
      'InvalidParameterException', BOTH);
    await failsAndChangesNothing(sm, 'both/existing',
      () => sm.send(new UpdateSecretCommand({ SecretId: 'both/existing', SecretString: 's', SecretBinary: Buffer.from('b'), Description: 'no' })),
      'InvalidParameterException', BOTH);
    assert.deepEqual(await stagesOf(sm, 'both/existing'), { [v1]: ['AWSCURRENT'] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'both/existing' }))).SecretString, 'keep');
  });
});
