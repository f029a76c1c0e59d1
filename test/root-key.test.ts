/**
 * The root key: created at the first start, or given as a file or in the environment; and
 * a database started with any other key (or with none) refuses to start, with a message an
 * operator can act on, instead of serving errors or garbage for every secret.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { runCoffer, type ExitResult } from './helpers/process.ts';

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-rootkey-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `coffer serve` on an existing database, expected to refuse to start. */
function serveExpectingExit(dataDir: string, databaseUrl: string, root: Credentials, args: string[] = [], env: Record<string, string> = {}): Promise<ExitResult> {
  return runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--database', databaseUrl, ...args], {
    env: { COFFER_ROOT_ACCESS_KEY_ID: root.accessKeyId, COFFER_ROOT_SECRET_ACCESS_KEY: root.secretAccessKey, ...env },
    timeoutMs: 20_000,
  });
}

function assertRefused(result: ExitResult, message: RegExp): void {
  assert.equal(result.code, 1, `expected exit 1\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'a message, not a stack trace');
  assert.doesNotMatch(result.stdout, /endpoint:/, 'never reported ready');
}

describe('the default root key file', () => {
  let first: TestServer;

  test('is created at the first start as DATA_DIR/root.key with mode 0600 and opens the secrets after a restart', async () => {
    first = await startServer();
    cleanups.push(() => first.destroy());
    const file = join(first.dataDir, 'root.key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const content = readFileSync(file, 'utf8');
    assert.match(content, /^[A-Za-z0-9+/]{43}=\n$/);
    assert.equal(Buffer.from(content.trim(), 'base64').length, 32);
    await secretsManager(first).send(new CreateSecretCommand({ Name: 'root-key/default', SecretString: 'kept' }));
    assert.equal(await first.stop(), 0);

    const again = await startServer({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, root: first.root });
    try {
      assert.equal((await secretsManager(again).send(new GetSecretValueCommand({ SecretId: 'root-key/default' }))).SecretString, 'kept');
      assert.equal(readFileSync(file, 'utf8'), content, 'the key file is never rewritten');
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  test('a start with a different root key is refused, from COFFER_ROOT_KEY or --root-key-file', async () => {
    const other = randomBytes(32);
    assertRefused(
      await serveExpectingExit(first.dataDir, first.databaseUrl, first.root, [], { COFFER_ROOT_KEY: other.toString('base64') }),
      /coffer: the root key from COFFER_ROOT_KEY is not the root key this database was created with/,
    );
    const otherFile = join(tempDir(), 'other.key');
    writeFileSync(otherFile, other.toString('hex') + '\n', { mode: 0o600 });
    assertRefused(
      await serveExpectingExit(first.dataDir, first.databaseUrl, first.root, ['--root-key-file', otherFile]),
      new RegExp(`the root key from root key file ${otherFile} is not the root key this database was created with`),
    );
  });

  test('a start on an initialized database without its root key is refused and creates no new key', async () => {
    // The classic mistake: a second node (or a restored database) with an empty data dir.
    const emptyDataDir = tempDir();
    assertRefused(
      await serveExpectingExit(emptyDataDir, first.databaseUrl, first.root),
      /root\.key does not exist and COFFER_ROOT_KEY is not set, but this database was initialized with a root key/,
    );
    assert.equal(existsSync(join(emptyDataDir, 'root.key')), false);
  });

  test('after the refused starts the original key still reads every secret', async () => {
    const again = await startServer({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, root: first.root });
    try {
      assert.equal((await secretsManager(again).send(new GetSecretValueCommand({ SecretId: 'root-key/default' }))).SecretString, 'kept');
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});

describe('a root key given by the operator', () => {
  test('--root-key-file (hex) and COFFER_ROOT_KEY (base64 and hex) all open the same database', async () => {
    const key = randomBytes(32);
    const keyFile = join(tempDir(), 'coffer.key');
    writeFileSync(keyFile, key.toString('hex') + '\n', { mode: 0o600 });

    const first = await startServer({ args: ['--root-key-file', keyFile] });
    cleanups.push(() => first.destroy());
    assert.equal(existsSync(join(first.dataDir, 'root.key')), false, 'no key file of its own next to the given one');
    await secretsManager(first).send(new CreateSecretCommand({ Name: 'root-key/given', SecretBinary: Buffer.from([0, 1, 2, 255]) }));
    assert.equal(await first.stop(), 0);

    for (const encoded of [key.toString('base64'), key.toString('hex'), key.toString('hex').toUpperCase()]) {
      const again = await startServer({ dataDir: first.dataDir, databaseUrl: first.databaseUrl, root: first.root, env: { COFFER_ROOT_KEY: encoded } });
      try {
        const got = await secretsManager(again).send(new GetSecretValueCommand({ SecretId: 'root-key/given' }));
        assert.deepEqual(Buffer.from(got.SecretBinary!), Buffer.from([0, 1, 2, 255]));
        assert.equal(existsSync(join(first.dataDir, 'root.key')), false);
      } finally {
        assert.equal(await again.stop(), 0);
      }
    }
  });

  test('a --root-key-file that does not exist is refused, with how to make one', async () => {
    const dataDir = tempDir();
    const missing = join(dataDir, 'nope', 'missing.key');
    const result = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--root-key-file', missing, '--database', `sqlite://${join(dataDir, 'coffer.db')}`]);
    assertRefused(result, new RegExp(`root key file ${missing} does not exist \\(create one with: openssl rand -base64 32`));
    assert.equal(existsSync(missing), false);
  });

  test('a malformed COFFER_ROOT_KEY is refused', async () => {
    const dataDir = tempDir();
    for (const bad of ['too-short', randomBytes(16).toString('base64'), randomBytes(33).toString('hex')]) {
      const result = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--database', `sqlite://${join(dataDir, 'coffer.db')}`], { env: { COFFER_ROOT_KEY: bad } });
      assertRefused(result, /COFFER_ROOT_KEY must hold a 256-bit key \(32 bytes, base64 or hex\)/);
      assert.ok(!result.stderr.includes(bad), 'the key is not echoed');
    }
  });
});
