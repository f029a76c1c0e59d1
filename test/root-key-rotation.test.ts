/**
 * `coffer root-key rotate` beside a running server: interrupted midway (the process dies
 * as abruptly as a crash), the server keeps reading and writing on a mix of generations,
 * a rerun resumes and finishes; afterwards only the new key opens the database, and neither
 * the data dir nor a database dump holds a root key, KMS key material, an access key secret
 * or a secret value in plaintext.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey, whoAmI } from './helpers/iam.ts';
import { filesUnder, occurrences, pgDump, text, type Haystack, type Needle } from './helpers/scan.ts';
import {
  allGenerations, credentialNeedles, keyDir, keyNeedles, kmsMaterials, rootKeyCommand, sealedGenerations, serveRefused, writeSecretFile,
} from './helpers/root-key.ts';

const tag = randomBytes(4).toString('hex');

describe('root key rotation with the server running', () => {
  let server: TestServer;
  let keys: ReturnType<typeof keyDir>;
  let oldFile: string;
  let newFile: string;
  const oldKey = randomBytes(32);
  const users: Credentials[] = [];
  const values = new Map<string, string>();
  let currentOptions: string[];

  async function checkEverything(s: TestServer): Promise<void> {
    const sm = secretsManager(s);
    for (const [name, value] of values) assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString, value, name);
    for (const u of users) assert.equal((await whoAmI(s, u)).Account, s.accountId);
  }

  async function addSecret(s: TestServer, name: string): Promise<void> {
    const value = `PLAINTEXT-${tag}-${name}`;
    await secretsManager(s).send(new CreateSecretCommand({ Name: name, SecretString: value }));
    values.set(name, value);
  }

  before(async () => {
    keys = keyDir();
    oldFile = writeSecretFile(join(keys.dir, 'old.key'), oldKey.toString('base64') + '\n');
    newFile = join(keys.dir, 'new.key');
    currentOptions = ['--root-key-file', oldFile];
    server = await startServer({ args: currentOptions });
    for (let i = 0; i < 3; i++) await addSecret(server, `rotation/${tag}/before-${i}`);
    const iam = iamClient(server);
    for (let i = 0; i < 3; i++) users.push((await userWithKey(iam, `rotation-${tag}-${i}`)).credentials);
  });
  after(async () => {
    await server?.destroy();
    keys?.done();
  });

  test('an interrupted rotation leaves a mix of generations, and the server keeps reading and writing', async () => {
    assert.deepEqual(allGenerations(await sealedGenerations(server)), new Set([1]));
    const killed = await rootKeyCommand(server, 'rotate', [...currentOptions, '--new-root-key-file', newFile, '--batch-size', '2'], {
      COFFER_ROOT_KEY_ROTATE_STOP_AFTER: '3',
    });
    assert.equal(killed.code, null, `killed by its own SIGKILL\n${killed.stdout}\n${killed.stderr}`);
    assert.match(killed.stdout, /created the new root key file .*new\.key \(mode 0600\)/);
    assert.match(killed.stdout, /added root key generation 2 \(a key file or COFFER_ROOT_KEY/);
    assert.match(killed.stdout, /waiting \d+ s, until no process can still be sealing under an older generation/);
    assert.match(killed.stdout, /access_keys\.secret_sealed: 2 of 4 re-sealed \(2 of \d+ in all\)/);
    assert.match(killed.stdout, /stopping abruptly after 4 values/);
    assert.equal(statSync(newFile).mode & 0o777, 0o600);

    const status = await rootKeyCommand(server, 'status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /generation 1: active since .*; a key file or COFFER_ROOT_KEY/);
    assert.match(status.stdout, /generation 2: incoming: a rotation started .* is re-sealing to it/);
    assert.match(status.stdout, /re-sealed so far: access_keys\.secret_sealed 4; run coffer root-key rotate to resume it/);

    const gens = await sealedGenerations(server);
    assert.deepEqual(new Set(gens['access_keys.secret_sealed']), new Set([2]));
    assert.deepEqual(gens['kms_key_materials.material_sealed'], [1], 'the KMS key material is not re-sealed yet');

    // The server learned generation 2 within a second of its introduction: it reads both and writes under 2.
    await checkEverything(server);
    await addSecret(server, `rotation/${tag}/during`);
    users.push((await userWithKey(iamClient(server), `rotation-${tag}-during`)).credentials);
    await checkEverything(server);
    const during = await sealedGenerations(server);
    assert.equal(during['access_keys.secret_sealed']!.length, 5);
    assert.deepEqual(new Set(during['access_keys.secret_sealed']), new Set([2]), 'the new access key is sealed under generation 2');
  });

  test('rerun, the rotation resumes where it stopped and finishes while the server runs', async () => {
    // Writes go on while it runs: each new access key is sealed by the server, under generation 2.
    const rotation = rootKeyCommand(server, 'rotate', currentOptions);
    let finished = false;
    void rotation.finally(() => { finished = true; });
    for (let i = 0; !finished && i < 50; i++) users.push((await userWithKey(iamClient(server), `rotation-${tag}-while-${i}`)).credentials);
    const resumed = await rotation;
    assert.equal(resumed.code, 0, `${resumed.stdout}\n${resumed.stderr}`);
    assert.match(resumed.stdout, /^resuming the rotation to root key generation 2 \(a key file or COFFER_ROOT_KEY, provider file\), started /);
    assert.match(resumed.stdout, /4 were re-sealed before the interruption/);
    assert.match(resumed.stdout, /kms_key_materials\.material_sealed: 1 of 1 re-sealed/);
    assert.match(resumed.stdout, /done: every sealed value is under root key generation 2 \([^)]*\); generation 1 retired: the old root key is no longer needed/);
    assert.deepEqual(allGenerations(await sealedGenerations(server)), new Set([2]));

    await checkEverything(server);
    await addSecret(server, `rotation/${tag}/after`);
    users.push((await userWithKey(iamClient(server), `rotation-${tag}-after`)).credentials);
    await checkEverything(server);
    assert.deepEqual(allGenerations(await sealedGenerations(server)), new Set([2]));

    const status = await rootKeyCommand(server, 'status');
    assert.match(status.stdout, /generation 1: retired /);
    assert.match(status.stdout, /generation 2: active since /);
  });

  test('restarted, the old key is refused with what to do, and the new key alone opens everything', async () => {
    assert.equal(await server.stop(), 0);
    const refused = await serveRefused(server, currentOptions);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /the root key from root key file .*old\.key is root key generation 1, which `coffer root-key rotate` retired at .*; this database now uses generation 2 .*Start coffer with the new root key\./);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'a message, not a stack trace');

    const again = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root, args: ['--root-key-file', newFile] });
    try {
      await checkEverything(again);
      assert.equal(existsSync(join(server.dataDir, 'root.key')), false, 'no key file in the data dir');
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  test('neither the data dir nor a database dump holds a root key, key material, an access key secret or a value', async () => {
    const newKey = Buffer.from(readFileSync(newFile, 'utf8').trim(), 'base64');
    const materials = await kmsMaterials(server, 2, newKey);
    assert.ok(materials.length >= 1, 'the aws/secretsmanager key has material');
    const needles: Needle[] = [
      ...keyNeedles('old root key', oldKey),
      ...keyNeedles('new root key', newKey),
      ...materials.flatMap((m, i) => keyNeedles(`KMS key material ${i}`, m)),
      ...credentialNeedles('root', server.root),
      ...users.flatMap((u, i) => credentialNeedles(`IAM user ${i}`, u)),
      ...[...values.values()].map((v) => text('secret value', v)),
    ];
    const haystacks: Haystack[] = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'postgres') haystacks.push(await pgDump(server.databaseUrl));
    // The scan sees what is stored in the clear: the secret names.
    assert.ok(occurrences([text('a secret name', `rotation/${tag}/before-0`)], haystacks).length > 0, 'control not found');
    assert.deepEqual(occurrences(needles, haystacks), []);
  });
});
