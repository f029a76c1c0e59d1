import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unlockRootKey, type RootKeyCheckStore } from './root-key.ts';
import { StartupError } from '../config.ts';

/** The meta row, in memory; `initial` is what another node stored first. */
function memoryChecks(initial?: string): RootKeyCheckStore & { value?: string } {
  const store: RootKeyCheckStore & { value?: string } = {
    value: initial,
    get: async () => store.value,
    putIfAbsent: async (v) => { store.value ??= v; },
  };
  return store;
}

function tempFile(): { file: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-rk-'));
  return { file: join(dir, 'root.key'), done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a new database gets a 0600 key file and a check the key opens; the next start opens it', async () => {
  const { file, done } = tempFile();
  try {
    const checks = memoryChecks();
    const key = await unlockRootKey({ file, defaultFile: true }, checks);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), key);
    assert.ok(checks.value);
    assert.ok(!Buffer.from(checks.value, 'base64').includes(key), 'the check holds no key material');
    assert.deepEqual(await unlockRootKey({ file, defaultFile: true }, checks), key);
  } finally {
    done();
  }
});

test('another key, or none, is refused and no key file is created', async () => {
  const { file, done } = tempFile();
  try {
    const checks = memoryChecks();
    const key = randomBytes(32);
    await unlockRootKey({ env: key.toString('hex'), file, defaultFile: true }, checks);
    assert.equal(existsSync(file), false, 'a key from the environment needs no file');
    await assert.rejects(unlockRootKey({ env: randomBytes(32).toString('base64'), file, defaultFile: true }, checks), StartupError);
    await assert.rejects(unlockRootKey({ file, defaultFile: true }, checks), /this database was initialized with a root key/);
    assert.equal(existsSync(file), false);
    assert.deepEqual(await unlockRootKey({ env: key.toString('base64'), file, defaultFile: true }, checks), key);
  } finally {
    done();
  }
});

test('two nodes initializing one database with different keys: the second is refused', async () => {
  const first = randomBytes(32);
  const shared = memoryChecks();
  await unlockRootKey({ env: first.toString('base64'), file: '/nonexistent/root.key', defaultFile: false }, shared);
  // The second node read no check, then lost the race to store its own.
  const racing: RootKeyCheckStore = { get: (() => { let n = 0; return async () => (n++ === 0 ? undefined : shared.value); })(), putIfAbsent: shared.putIfAbsent };
  await assert.rejects(unlockRootKey({ env: randomBytes(32).toString('base64'), file: '/nonexistent/root.key', defaultFile: false }, racing), /not the root key this database was created with/);
});

test('a given key file that does not exist is refused, never created', async () => {
  const { file, done } = tempFile();
  try {
    await assert.rejects(unlockRootKey({ file, defaultFile: false }, memoryChecks()), /does not exist \(create one with: openssl rand -base64 32/);
    assert.equal(existsSync(file), false);
  } finally {
    done();
  }
});
