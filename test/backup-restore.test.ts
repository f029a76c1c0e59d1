/**
 * `coffer backup` while the server serves (and a writer keeps writing), wipe, `coffer
 * restore` onto an empty data dir or database, and a server on the restored copy answers
 * exactly as the original did: secrets and every version, labels, tags, resource policies,
 * KMS keys and aliases (an old ciphertext still decrypts), IAM users, policies and access
 * keys (the user's key still signs), Lambda functions (still invoke). The file holds no
 * secret in plaintext; restore refuses a non-empty target and a wrong root key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand,
  ListSecretVersionIdsCommand, PutResourcePolicyCommand, PutSecretValueCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import {
  AttachUserPolicyCommand, CreatePolicyCommand, GetPolicyCommand, GetUserCommand, ListAccessKeysCommand, ListAttachedUserPoliciesCommand,
} from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, GetPolicyCommand as GetFunctionPolicyCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { dropPostgresSchema, newPostgresSchema, startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { kmsClient } from './helpers/kms.ts';
import { iamClient, userWithKey, whoAmI } from './helpers/iam.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';
import { runCoffer } from './helpers/process.ts';

const VALUE_1 = `backup-value-one-${randomBytes(6).toString('hex')}`;
const VALUE_2 = `backup-value-two-${randomBytes(6).toString('hex')}`;
const BINARY = randomBytes(48);

const clean = <T extends object>(o: T) => {
  const { $metadata: _m, ...rest } = o as T & { $metadata?: unknown };
  return rest;
};

interface Made {
  keyId: string;
  ciphertext: Uint8Array;
  policyArn: string;
  user: { credentials: { accessKeyId: string; secretAccessKey: string } };
}

async function populate(server: TestServer): Promise<Made> {
  const sm = secretsManager(server);
  const kms = kmsClient(server);
  const iam = iamClient(server);
  const lambda = lambdaClient(server);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'backup test key' }));
  const keyId = KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/backup-test', TargetKeyId: keyId }));
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kms plaintext') }));

  await sm.send(new CreateSecretCommand({ Name: 'bk/string', SecretString: VALUE_1, Description: 'a string secret', Tags: [{ Key: 'team', Value: 'ops' }] }));
  await sm.send(new PutSecretValueCommand({ SecretId: 'bk/string', SecretString: VALUE_2, VersionStages: ['AWSCURRENT', 'blue'] }));
  await sm.send(new PutResourcePolicyCommand({
    SecretId: 'bk/string',
    ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
  }));
  await sm.send(new CreateSecretCommand({ Name: 'bk/binary', SecretBinary: BINARY, KmsKeyId: 'alias/backup-test' }));
  await sm.send(new CreateSecretCommand({ Name: 'bk/deleted', SecretString: 'soon gone' }));
  await sm.send(new DeleteSecretCommand({ SecretId: 'bk/deleted', RecoveryWindowInDays: 7 }));

  const user = await userWithKey(iam, 'backup-user');
  const { Policy } = await iam.send(new CreatePolicyCommand({
    PolicyName: 'backup-read', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
  }));
  await iam.send(new AttachUserPolicyCommand({ UserName: 'backup-user', PolicyArn: Policy!.Arn! }));

  const role = await executionRole(iam, 'backup-fn-role');
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'backup-echo', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler',
    Code: { ZipFile: zipOf({ 'index.js': NODE_ECHO }) }, Environment: { Variables: { MODE: 'restored' } },
  }));
  await lambda.send(new AddPermissionCommand({ FunctionName: 'backup-echo', StatementId: 'sm', Action: 'lambda:InvokeFunction', Principal: 'secretsmanager.amazonaws.com' }));
  return { keyId, ciphertext: CiphertextBlob!, policyArn: Policy!.Arn!, user };
}

/** What a client sees of everything populate made. */
async function snapshot(server: TestServer, made: Made): Promise<unknown> {
  const sm = secretsManager(server);
  const kms = kmsClient(server);
  const iam = iamClient(server);
  const lambda = lambdaClient(server);
  const secrets: Record<string, unknown> = {};
  for (const name of ['bk/string', 'bk/binary', 'bk/deleted']) {
    const describe = clean(await sm.send(new DescribeSecretCommand({ SecretId: name })));
    const versions = clean(await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true })));
    const values: unknown[] = [];
    if (name !== 'bk/deleted') {
      for (const v of versions.Versions ?? []) values.push(clean(await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v.VersionId }))));
    }
    const policy = name === 'bk/string' ? clean(await sm.send(new GetResourcePolicyCommand({ SecretId: name }))) : undefined;
    secrets[name] = { describe, versions, values, policy };
  }
  const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases?.filter((a) => a.AliasName === 'alias/backup-test');
  return {
    secrets,
    kms: {
      key: clean(await kms.send(new DescribeKeyCommand({ KeyId: made.keyId }))),
      policy: clean(await kms.send(new GetKeyPolicyCommand({ KeyId: made.keyId, PolicyName: 'default' }))),
      aliases,
    },
    iam: {
      user: clean(await iam.send(new GetUserCommand({ UserName: 'backup-user' }))),
      attached: clean(await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'backup-user' }))),
      policy: clean(await iam.send(new GetPolicyCommand({ PolicyArn: made.policyArn }))),
      keys: clean(await iam.send(new ListAccessKeysCommand({ UserName: 'backup-user' }))),
    },
    lambda: {
      config: clean(await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'backup-echo' }))),
      policy: clean(await lambda.send(new GetFunctionPolicyCommand({ FunctionName: 'backup-echo' }))),
    },
  };
}

/** A fresh, empty target: a data dir, and a database in it (SQLite) or a new schema. */
async function emptyTarget(engine: 'sqlite' | 'postgres' = TEST_DATABASE): Promise<{ dataDir: string; databaseUrl: string; drop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-restore-'));
  const databaseUrl = engine === 'postgres' ? await newPostgresSchema() : `sqlite://${join(dataDir, 'coffer.db')}`;
  return {
    dataDir, databaseUrl,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      if (engine === 'postgres') await dropPostgresSchema(databaseUrl);
    },
  };
}

describe('backup and restore', () => {
  let original: TestServer;
  let made: Made;
  let before_: unknown;
  const work = mkdtempSync(join(tmpdir(), 'coffer-backup-'));
  const file = join(work, 'coffer.backup');
  const keyFile = join(work, 'root.key');
  let busyValues: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    original = await startServer();
    made = await populate(original);
    // Twice: reading the values sets LastAccessedDate, which the restored server then shows too.
    await snapshot(original, made);
    before_ = await snapshot(original, made);
    // The root key lives apart from the data: the data dir is wiped.
    copyFileSync(join(original.dataDir, 'root.key'), keyFile);
  });
  after(async () => {
    await original?.destroy();
    for (const c of cleanups) await c();
    rmSync(work, { recursive: true, force: true });
  });

  test('coffer backup runs while the server serves and a writer keeps writing; the file holds no secret in plaintext', async () => {
    const sm = secretsManager(original);
    await sm.send(new CreateSecretCommand({ Name: 'bk/busy', SecretString: 'busy-0' }));
    busyValues = ['busy-0'];
    let writing = true;
    const writer = (async () => {
      // Under the 100-version limit: a version every 20 ms for as long as the backup runs.
      for (let i = 1; writing && i < 90; i++) {
        busyValues.push(`busy-${i}`);
        await sm.send(new PutSecretValueCommand({ SecretId: 'bk/busy', SecretString: `busy-${i}` }));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const run = await runCoffer(['backup', '--out', file, '--data-dir', original.dataDir, '--database', original.databaseUrl], { timeoutMs: 60_000 });
    writing = false;
    await writer;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^backup written to .*coffer\.backup: \d+ tables, \d+ rows, \d+ bytes$/m);
    // Not a terminal: one plain line per table.
    assert.match(run.stderr, /^backup secrets: \d+ rows?$/m);
    assert.match(run.stderr, /^backup secret_versions: \d+ rows$/m);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const bytes = readFileSync(file);
    for (const needle of [VALUE_1, VALUE_2, made.user.credentials.secretAccessKey, original.root.secretAccessKey, 'kms plaintext', 'busy-0', 'backup-user', 'bk/string']) {
      assert.equal(bytes.indexOf(needle), -1, `${needle} is not in the backup in plaintext`);
    }
    assert.equal(bytes.indexOf(BINARY), -1);
    // Never overwritten.
    const again = await runCoffer(['backup', '--out', file, '--data-dir', original.dataDir, '--database', original.databaseUrl]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists; coffer backup never overwrites/);
  });

  test('restore onto an empty target: a server on it answers exactly as the original did', async () => {
    await original.stop();
    const target = await emptyTarget();
    cleanups.push(target.drop);
    const run = await runCoffer(['restore', file, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^restored \d+ tables, \d+ rows from /m);
    assert.match(run.stderr, /^restore secrets: \d+ rows?$/m);

    const restored = await startServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, root: original.root, args: ['--root-key-file', keyFile] });
    try {
      assert.equal(restored.accountId, original.accountId);
      assert.deepEqual(await snapshot(restored, made), before_);
      // Keys, credentials and functions work, not only look the same.
      const kms = kmsClient(restored);
      const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: made.ciphertext }));
      assert.equal(Buffer.from(Plaintext!).toString(), 'kms plaintext');
      assert.equal((await whoAmI(restored, made.user.credentials)).Arn, `arn:aws:iam::${original.accountId}:user/backup-user`);
      const asUser = secretsManager(restored, { credentials: made.user.credentials });
      assert.equal((await asUser.send(new GetSecretValueCommand({ SecretId: 'bk/string' }))).SecretString, VALUE_2);
      const out = await lambdaClient(restored).send(new InvokeCommand({ FunctionName: 'backup-echo', Payload: Buffer.from('{"x":1}') }));
      assert.equal(out.FunctionError, undefined);
      assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()).echo, { x: 1 });
      // The busy secret is as of one moment: its current value is one the writer wrote, and every version opens.
      const sm = secretsManager(restored);
      const current = (await sm.send(new GetSecretValueCommand({ SecretId: 'bk/busy' }))).SecretString!;
      assert.ok(busyValues.includes(current), `${current} was written`);
      const versions = (await sm.send(new ListSecretVersionIdsCommand({ SecretId: 'bk/busy', IncludeDeprecated: true }))).Versions ?? [];
      assert.equal(versions.filter((v) => v.VersionStages?.includes('AWSCURRENT')).length, 1);
      for (const v of versions) await sm.send(new GetSecretValueCommand({ SecretId: 'bk/busy', VersionId: v.VersionId }));
      // New writes work on the restored database (ids and sequences continue).
      await sm.send(new CreateSecretCommand({ Name: 'bk/after-restore', SecretString: 'new' }));
    } finally {
      await restored.stop();
    }

    // The same target again: not empty, refused, nothing changed.
    const twice = await runCoffer(['restore', file, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile]);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /the target database is not empty \(table \w+ has rows\); coffer restore only restores onto an empty data dir or database/);
  });

  test('restore refuses a wrong root key and a changed file, and leaves the target empty', async () => {
    const target = await emptyTarget();
    cleanups.push(target.drop);
    const wrongKey = join(work, 'wrong.key');
    writeFileSync(wrongKey, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    const wrong = await runCoffer(['restore', file, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', wrongKey]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not open this backup: it needs the root key of the database it was made from/);

    const tampered = join(work, 'tampered.backup');
    const bytes = Buffer.from(readFileSync(file));
    bytes[bytes.length - 40] ^= 0x01;
    writeFileSync(tampered, bytes);
    const bad = await runCoffer(['restore', tampered, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /damaged, truncated or was changed .*nothing was restored/);
    const truncated = join(work, 'truncated.backup');
    writeFileSync(truncated, readFileSync(file).subarray(0, readFileSync(file).length - 100));
    const cut = await runCoffer(['restore', truncated, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile]);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /truncated|damaged/);
    // After all the refusals the target is still empty: a good restore succeeds.
    const good = await runCoffer(['restore', file, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile], { timeoutMs: 60_000 });
    assert.equal(good.code, 0, good.stderr);
  });

  test('a SQLite backup restores onto PostgreSQL', { skip: TEST_DATABASE !== 'sqlite' && 'runs once, on the SQLite pass' }, async () => {
    const target = await emptyTarget('postgres');
    cleanups.push(target.drop);
    const run = await runCoffer(['restore', file, '--data-dir', target.dataDir, '--database', target.databaseUrl, '--root-key-file', keyFile], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const restored = await startServer({ dataDir: target.dataDir, databaseUrl: target.databaseUrl, root: original.root, args: ['--root-key-file', keyFile] });
    try {
      assert.deepEqual(await snapshot(restored, made), before_);
    } finally {
      await restored.stop();
    }
  });
});
