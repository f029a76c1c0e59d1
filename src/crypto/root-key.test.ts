import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../storage/database.ts';
import { rootKeysMigration } from '../storage/migration-root-keys.ts';
import { StartupError } from '../config.ts';
import { seal as aeadSeal } from './aead.ts';
import { unlockRootKey } from './root-key.ts';
import { readRootKeyRows } from './root-key-rows.ts';
import type { RootKeySource } from './root-key-source.ts';

const stores: Store[] = [];
const dirs: string[] = [];
after(async () => {
  for (const s of stores) await s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function db(): Promise<Store> {
  const store = await openStore('sqlite://:memory:');
  stores.push(store);
  return store;
}

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-rk-'));
  dirs.push(dir);
  return join(dir, 'root.key');
}

const naming = { env: 'COFFER_', flag: '--' };
const kms = {};
const fileSource = (o: { file?: string; key?: string; mayCreateFile?: boolean }): RootKeySource =>
  ({ provider: 'file', naming, kms, file: o.file ?? '/nonexistent/root.key', key: o.key, mayCreateFile: o.mayCreateFile ?? false });
const passphraseSource = (passphrase: string): RootKeySource => ({ provider: 'passphrase', naming, kms, passphrase, mayCreateFile: false });

test('a new database gets a 0600 key file at the default location and a generation 1 check; the next start opens it', async () => {
  const { db: kdb } = await db();
  const file = tempFile();
  const ring = await unlockRootKey(fileSource({ file, mayCreateFile: true }), kdb);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  assert.deepEqual(ring.keyOf(1), key);
  const rows = await readRootKeyRows(kdb);
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0]!.generation, rows[0]!.state, rows[0]!.provider], [1, 'active', { kind: 'file' }]);
  assert.ok(!Buffer.from(rows[0]!.keyCheck, 'base64').includes(key), 'the check holds no key material');
  const sealed = ring.seal(Buffer.from('s'), 'a');
  const again = await unlockRootKey(fileSource({ file, mayCreateFile: true }), kdb);
  assert.deepEqual(again.open(sealed, 'a'), Buffer.from('s'));
});

test('another key, or none, is refused and no key file is created', async () => {
  const { db: kdb } = await db();
  const file = tempFile();
  const key = randomBytes(32);
  await unlockRootKey(fileSource({ key: key.toString('hex'), file, mayCreateFile: true }), kdb);
  assert.equal(existsSync(file), false, 'a key from the environment needs no file');
  await assert.rejects(unlockRootKey(fileSource({ key: randomBytes(32).toString('base64'), file }), kdb), /the root key from COFFER_ROOT_KEY is not the root key this database was created with/);
  await assert.rejects(unlockRootKey(fileSource({ file, mayCreateFile: true }), kdb), /this database was initialized with a root key/);
  assert.equal(existsSync(file), false);
  assert.deepEqual((await unlockRootKey(fileSource({ key: key.toString('base64'), file }), kdb)).keyOf(1), key);
});

test('a given key file that does not exist is refused, never created', async () => {
  const { db: kdb } = await db();
  const file = tempFile();
  await assert.rejects(unlockRootKey(fileSource({ file }), kdb), /does not exist \(create one with: openssl rand -base64 32/);
  assert.equal(existsSync(file), false);
});

test('two nodes initializing one database with different keys: the second is refused', async () => {
  const { db: kdb } = await db();
  await unlockRootKey(fileSource({ key: randomBytes(32).toString('base64') }), kdb);
  // The second node's insert loses to the first's row; it must not run with its own key.
  await assert.rejects(unlockRootKey(fileSource({ key: randomBytes(32).toString('base64') }), kdb), StartupError);
});

test('passphrase: argon2id with a recorded salt and cost; the same passphrase opens, another is refused', async () => {
  const { db: kdb } = await db();
  const ring = await unlockRootKey(passphraseSource('correct horse battery staple'), kdb);
  const [row] = await readRootKeyRows(kdb);
  assert.equal(row!.provider.kind, 'passphrase');
  assert.deepEqual(
    { ...row!.provider, salt: undefined },
    { kind: 'passphrase', kdf: 'argon2id', version: 19, salt: undefined, memoryKiB: 65536, iterations: 3, parallelism: 1 },
  );
  const rowText = JSON.stringify(row);
  assert.ok(!rowText.includes(ring.keyOf(1).toString('base64')) && !rowText.includes(ring.keyOf(1).toString('hex')));
  const sealed = ring.seal(Buffer.from('s'), 'a');
  assert.deepEqual((await unlockRootKey(passphraseSource('correct horse battery staple'), kdb)).open(sealed, 'a'), Buffer.from('s'));
  await assert.rejects(
    unlockRootKey(passphraseSource('correct horse battery stapler'), kdb),
    /the passphrase from COFFER_ROOT_KEY_PASSPHRASE does not unlock this database: it is not the passphrase of root key generation 1/,
  );
});

test('a new passphrase must be long enough; an empty one is refused', async () => {
  const { db: kdb } = await db();
  await assert.rejects(unlockRootKey(passphraseSource('short'), kdb), /too short for a new root key: use at least 12 characters/);
  await assert.rejects(unlockRootKey(passphraseSource(''), kdb), /is empty/);
  assert.deepEqual(await readRootKeyRows(kdb), []);
});

test('a start with another provider than the database uses says which one it needs', async () => {
  const { db: kdb } = await db();
  await unlockRootKey(passphraseSource('correct horse battery staple'), kdb);
  await assert.rejects(
    unlockRootKey(fileSource({ file: tempFile(), mayCreateFile: true }), kdb),
    /root key \(generation 1\) comes from a passphrase, provider passphrase, but coffer was started with the file provider/,
  );
});

test('migration 0006 turns the root key check of an older database into generation 1, whose format 1 values still open', async () => {
  const { db: kdb } = await db();
  const key = randomBytes(32);
  // The database as coffer left it before generations: the check in meta, values sealed directly.
  await sql`drop table root_keys`.execute(kdb);
  await sql`insert into meta (key, value) values ('root_key_check', ${aeadSeal(key, Buffer.from('coffer root key check v1'), 'coffer-root-key-check').toString('base64')})`.execute(kdb);
  await rootKeysMigration('blob').up(kdb as never);
  assert.equal((await sql`select * from meta where key = 'root_key_check'`.execute(kdb)).rows.length, 0);
  const ring = await unlockRootKey(fileSource({ key: key.toString('base64') }), kdb);
  assert.deepEqual(ring.generations(), [1]);
  assert.deepEqual(ring.open(aeadSeal(key, Buffer.from('old'), 'access-key:AKIA1'), 'access-key:AKIA1'), Buffer.from('old'));
  await assert.rejects(unlockRootKey(fileSource({ key: randomBytes(32).toString('base64') }), kdb), /not the root key this database was created with/);
});
