/**
 * The passphrase provider: the root key derived with argon2id from a passphrase given in
 * the environment or a file (never on the command line), its salt and cost recorded in the
 * database. A wrong passphrase is refused at start with a message, not a stack trace; a
 * rotation moves the database to a new passphrase while the server runs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { sql } from './helpers/db-rows.ts';
import { filesUnder, occurrences, pgDump, text, type Haystack } from './helpers/scan.ts';
import { keyDir, keyNeedles, kmsMaterials, rootKeyCommand, serveRefused, writeSecretFile } from './helpers/root-key.ts';
import { deriveKey } from '../src/crypto/root-key-passphrase.ts';
import type { PassphraseRecord } from '../src/crypto/root-key-source.ts';

const tag = randomBytes(4).toString('hex');
const first = `first passphrase ${tag} with some length`;
const second = `second passphrase ${tag}, longer still`;
const value = `PLAINTEXT-${tag}-under-a-passphrase`;

/** The key a generation's passphrase derives, from its recorded salt and cost. */
async function derived(server: TestServer, generation: number, passphrase: string): Promise<Buffer> {
  const { rows } = await sql(server, 'SELECT provider FROM {schema}root_keys WHERE generation = $1', [generation]);
  return deriveKey(passphrase, JSON.parse(String(rows[0]!.provider)) as PassphraseRecord);
}

describe('a root key from a passphrase', () => {
  let server: TestServer;
  let keys: ReturnType<typeof keyDir>;
  let firstFile: string;

  before(async () => {
    keys = keyDir();
    firstFile = writeSecretFile(join(keys.dir, 'first.pass'), first + '\n');
    server = await startServer({ env: { COFFER_ROOT_KEY_PASSPHRASE: first } });
    await secretsManager(server).send(new CreateSecretCommand({ Name: `passphrase/${tag}`, SecretString: value }));
  });
  after(async () => {
    await server?.destroy();
    keys?.done();
  });

  test('the database records argon2id with its salt and cost, and no key file is made', async () => {
    const { rows } = await sql(server, 'SELECT generation, state, provider FROM {schema}root_keys');
    assert.equal(rows.length, 1);
    const record = JSON.parse(String(rows[0]!.provider)) as PassphraseRecord;
    assert.deepEqual({ ...record, salt: typeof record.salt }, { kind: 'passphrase', kdf: 'argon2id', version: 19, salt: 'string', memoryKiB: 65536, iterations: 3, parallelism: 1 });
    assert.equal(Buffer.from(record.salt, 'base64').length, 16);
    assert.equal(existsSync(join(server.dataDir, 'root.key')), false);
    // Given in the environment, the passphrase is not on the command line `ps` shows.
    const cmdline = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes(first));
  });

  test('a wrong passphrase is refused at start with a clear message', async () => {
    assert.equal(await server.stop(), 0);
    const refused = await serveRefused(server, [], { COFFER_ROOT_KEY_PASSPHRASE: `${first}!` });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /^coffer: the passphrase from COFFER_ROOT_KEY_PASSPHRASE does not unlock this database: it is not the passphrase of root key generation 1\. Start coffer with that passphrase/);
    assert.doesNotMatch(refused.stderr, /\n\s+at /, 'a message, not a stack trace');
    assert.ok(!refused.stderr.includes(first), 'the passphrase is not echoed');
    const withoutAny = await serveRefused(server, []);
    assert.match(withoutAny.stderr, /this database's root key \(generation 1\) comes from a passphrase, provider passphrase, but coffer was started with the file provider/);
    assert.equal(existsSync(join(server.dataDir, 'root.key')), false, 'a refused start makes no key file');
  });

  test('the same passphrase from a file opens the database again', async () => {
    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root, args: ['--root-key-passphrase-file', firstFile] });
    assert.equal((await secretsManager(server).send(new GetSecretValueCommand({ SecretId: `passphrase/${tag}` }))).SecretString, value);
  });

  test('a rotation moves the database to a new passphrase while the server runs; then only the new one opens it', async () => {
    const rotated = await rootKeyCommand(server, 'rotate', ['--root-key-passphrase-file', firstFile, '--new-root-key-provider', 'passphrase'], {
      COFFER_NEW_ROOT_KEY_PASSPHRASE: second,
    });
    assert.equal(rotated.code, 0, `${rotated.stdout}\n${rotated.stderr}`);
    assert.match(rotated.stdout, /added root key generation 2 \(a passphrase, provider passphrase\)/);
    assert.match(rotated.stdout, /done: every sealed value is under root key generation 2/);
    const sm = secretsManager(server);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: `passphrase/${tag}` }))).SecretString, value);
    await sm.send(new CreateSecretCommand({ Name: `passphrase/${tag}/after`, SecretString: `${value}-after` }));

    assert.equal(await server.stop(), 0);
    const old = await serveRefused(server, ['--root-key-passphrase-file', firstFile]);
    assert.equal(old.code, 1, old.stderr);
    assert.match(old.stderr, /root key derived from the passphrase in passphrase file .*first\.pass is root key generation 1, which `coffer root-key rotate` retired/);
    server = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root, env: { COFFER_ROOT_KEY_PASSPHRASE: second } });
    const again = secretsManager(server);
    assert.equal((await again.send(new GetSecretValueCommand({ SecretId: `passphrase/${tag}` }))).SecretString, value);
    assert.equal((await again.send(new GetSecretValueCommand({ SecretId: `passphrase/${tag}/after` }))).SecretString, `${value}-after`);
  });

  test('neither passphrase, derived key nor key material is in the data dir or a database dump', async () => {
    const key2 = await derived(server, 2, second);
    const needles = [
      text('first passphrase', first), text('second passphrase', second),
      ...keyNeedles('generation 1 key', await derived(server, 1, first)),
      ...keyNeedles('generation 2 key', key2),
      ...(await kmsMaterials(server, 2, key2)).flatMap((m) => keyNeedles('KMS key material', m)),
      text('secret value', value), text('root secret access key', server.root.secretAccessKey),
    ];
    const haystacks: Haystack[] = filesUnder(server.dataDir);
    if (TEST_DATABASE === 'postgres') haystacks.push(await pgDump(server.databaseUrl));
    assert.ok(occurrences([text('secret name', `passphrase/${tag}`)], haystacks).length > 0, 'control not found');
    assert.deepEqual(occurrences(needles, haystacks), []);
  });
});
