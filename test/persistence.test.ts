/**
 * Everything a server knows survives a restart on the same data dir and database: secrets,
 * their versions, labels, tags, resource policies, deletion state, the account id and the
 * root credentials. And the account id given at the first start is the installation's.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand, DeleteSecretCommand, GetResourcePolicyCommand, GetSecretValueCommand, ListSecretsCommand,
  PutResourcePolicyCommand, PutSecretValueCommand, TagResourceCommand, UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { dropPostgresSchema, startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { snapshot } from './helpers/secrets.ts';
import { runCoffer } from './helpers/process.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A server on a data dir and database this file owns, removed when the file is done. */
async function firstStart(opts: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const server = await startServer(opts);
  cleanups.push(async () => {
    await server.stop();
    rmSync(server.dataDir, { recursive: true, force: true });
    if (TEST_DATABASE === 'postgres') await dropPostgresSchema(server.databaseUrl);
  });
  return server;
}

/** Stops `server` and starts it again on the same data dir and database. */
async function restart(server: TestServer, opts: { args?: string[]; root?: null } = {}): Promise<TestServer> {
  assert.equal(await server.stop(), 0, 'clean exit');
  const again = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: opts.root === null ? null : server.root, args: opts.args });
  cleanups.push(async () => { await again.stop(); });
  return again;
}

interface World {
  secrets: Record<string, Awaited<ReturnType<typeof snapshot>>>;
  values: Record<string, string | string[]>;
  policy?: string;
  listed: string[];
}

/** Everything a client can see about the secrets this test made. */
async function observe(sm: SecretsManagerClient, names: string[]): Promise<World> {
  const world: World = { secrets: {}, values: {}, listed: [] };
  for (const name of names) {
    const snap = await snapshot(sm, name);
    world.secrets[name] = snap;
    if (snap.describe.DeletedDate) continue;
    for (const v of snap.versions) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: v.VersionId as string }));
      world.values[`${name}@${String(v.VersionId)}`] = got.SecretString ?? [...Buffer.from(got.SecretBinary!)].map(String);
    }
  }
  world.policy = (await sm.send(new GetResourcePolicyCommand({ SecretId: names[0] }))).ResourcePolicy;
  const listed = await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true, MaxResults: 100 }));
  world.listed = (listed.SecretList ?? []).map((s) => s.Name!).filter((n) => names.includes(n)).sort();
  return world;
}

describe('a restart keeps everything', () => {
  test('secrets, versions, labels, tags, policies, deletions, the account id and the generated root credentials', async () => {
    const first = await firstStart({ root: null, args: ['--account-id', '210987654321'] });
    assert.equal(first.accountId, '210987654321');
    const credentialsFile = readFileSync(join(first.dataDir, 'root-credentials'), 'utf8');
    const sm = secretsManager(first);

    const a = await sm.send(new CreateSecretCommand({
      Name: 'persist/app', SecretString: 'v1', Description: 'the app database',
      Tags: [{ Key: 'team', Value: 'core' }],
    }));
    const v2 = await sm.send(new PutSecretValueCommand({ SecretId: a.ARN, SecretString: 'v2' }));
    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: a.ARN, SecretString: 'v3', VersionStages: ['blue'] }));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: a.ARN, VersionStage: 'green', MoveToVersionId: a.VersionId }));
    await sm.send(new TagResourceCommand({ SecretId: a.ARN, Tags: [{ Key: 'env', Value: 'prod' }] }));
    await sm.send(new PutResourcePolicyCommand({
      SecretId: a.ARN,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
      }),
    }));
    await sm.send(new CreateSecretCommand({ Name: 'persist/bytes', SecretBinary: Buffer.from([9, 8, 7, 0, 255]) }));
    await sm.send(new CreateSecretCommand({ Name: 'persist/doomed', SecretString: 'bye' }));
    await sm.send(new DeleteSecretCommand({ SecretId: 'persist/doomed', RecoveryWindowInDays: 7 }));
    assert.ok(v2.VersionId && v3.VersionId);

    const names = ['persist/app', 'persist/bytes', 'persist/doomed'];
    // Observed twice before the restart, so that reading (which records access dates) is
    // not what a comparison after the restart sees change.
    await observe(sm, names);
    const before = await observe(sm, names);
    assert.equal(before.secrets['persist/app']!.versions.length, 3);
    assert.ok(before.policy);

    const again = await restart(first, { root: null });
    assert.equal(again.accountId, '210987654321', 'the account id is kept without --account-id');
    assert.equal(again.root.accessKeyId, first.root.accessKeyId, 'the generated root credentials are kept');
    assert.equal(again.root.secretAccessKey, first.root.secretAccessKey);
    assert.equal(readFileSync(join(first.dataDir, 'root-credentials'), 'utf8'), credentialsFile, 'and not rewritten');
    assert.deepEqual(await observe(secretsManager(again), names), before);

    // And the same again with the account id given explicitly (the same one).
    const third = await restart(again, { root: null, args: ['--account-id', '210987654321'] });
    assert.equal(third.accountId, '210987654321');
    assert.deepEqual(await observe(secretsManager(third), names), before);
    assert.equal(await third.stop(), 0);

    // A different --account-id would orphan every secret and key: refused.
    const refused = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', first.dataDir, '--database', first.databaseUrl, '--account-id', '123456789012']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /coffer: --account-id 123456789012 does not match this database's account id 210987654321/);
  });

  test('a random default account id of 12 digits is chosen once and kept', async () => {
    const first = await firstStart();
    assert.match(first.accountId, /^[1-9]\d{11}$/);
    const created = await secretsManager(first).send(new CreateSecretCommand({ Name: 'persist/random-account', SecretString: 'x' }));
    assert.ok(created.ARN!.includes(`:${first.accountId}:secret:`));
    const again = await restart(first);
    assert.equal(again.accountId, first.accountId);
    const got = await secretsManager(again).send(new GetSecretValueCommand({ SecretId: created.ARN }));
    assert.equal(got.SecretString, 'x');
    assert.ok(again.stdout().includes(`account id: ${first.accountId}`));
  });
});
