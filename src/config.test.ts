import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { parseRegions, parseRootKeySource, parseServeArgs, UsageError } from './config.ts';

const regionsOf = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServeArgs(args, env).regions;

test('one region by default: us-east-1', () => {
  assert.deepEqual(regionsOf([]), ['us-east-1']);
});

test('--region repeats, and a value may list several regions', () => {
  assert.deepEqual(regionsOf(['--region', 'us-east-1', '--region', 'us-west-2']), ['us-east-1', 'us-west-2']);
  assert.deepEqual(regionsOf(['--region=eu-west-1,ap-southeast-2']), ['eu-west-1', 'ap-southeast-2']);
  assert.deepEqual(regionsOf(['--region', 'us-east-1', '--region', 'us-east-1']), ['us-east-1']);
});

test('COFFER_REGION is a comma-separated list; flags win over it', () => {
  assert.deepEqual(regionsOf([], { COFFER_REGION: 'us-east-1, eu-central-1' }), ['us-east-1', 'eu-central-1']);
  assert.deepEqual(regionsOf(['--region', 'us-west-2'], { COFFER_REGION: 'eu-central-1' }), ['us-west-2']);
});

test('any serves every region', () => {
  assert.equal(regionsOf(['--region', 'any']), 'any');
  assert.equal(regionsOf(['--region', 'us-east-1', '--region', 'any']), 'any');
  assert.equal(regionsOf([], { COFFER_REGION: 'any' }), 'any');
});

test('a value that is not a region name is a usage error', () => {
  for (const bad of ['moon', 'US-EAST-1', 'us-east', 'us_east_1', '']) {
    assert.throws(() => parseRegions([bad]), UsageError, bad);
  }
});

test('serve listens on 127.0.0.1:4599 and keeps its data in ./coffer-data by default', () => {
  const config = parseServeArgs([], {});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 4599);
  assert.equal(config.dataDir, resolve('coffer-data'));
  assert.equal(config.databaseUrl, `sqlite://${join(resolve('coffer-data'), 'coffer.db')}`);
  assert.equal(config.rootKey.file, join(resolve('coffer-data'), 'root.key'));
  assert.equal(config.rootKey.provider, 'file');
  assert.equal(config.accountId, undefined);
});

test('--listen takes HOST:PORT, [IPv6]:PORT or a bare port; flags win over COFFER_* variables', () => {
  assert.deepEqual(pick(parseServeArgs(['--listen', '0.0.0.0:8080'], {})), { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(pick(parseServeArgs(['--listen=[::1]:9000'], {})), { host: '::1', port: 9000 });
  assert.deepEqual(pick(parseServeArgs(['--listen', '7000'], {})), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(pick(parseServeArgs([], { COFFER_LISTEN: '10.0.0.1:1234' })), { host: '10.0.0.1', port: 1234 });
  assert.deepEqual(pick(parseServeArgs(['--listen', '127.0.0.1:1'], { COFFER_LISTEN: '10.0.0.1:1234' })), { host: '127.0.0.1', port: 1 });
  assert.throws(() => parseServeArgs(['--listen', 'nohost'], {}), UsageError);
  assert.throws(() => parseServeArgs(['--listen', '127.0.0.1:70000'], {}), UsageError);
});

test('--account-id must be 12 digits, from the flag or COFFER_ACCOUNT_ID', () => {
  assert.equal(parseServeArgs(['--account-id', '012345678901'], {}).accountId, '012345678901');
  assert.equal(parseServeArgs([], { COFFER_ACCOUNT_ID: '111122223333' }).accountId, '111122223333');
  assert.throws(() => parseServeArgs(['--account-id', '1234'], {}), /--account-id must be 12 digits/);
  assert.throws(() => parseServeArgs([], { COFFER_ACCOUNT_ID: 'abcdefghijkl' }), /--account-id must be 12 digits/);
});

function pick(c: { host: string; port: number }) {
  return { host: c.host, port: c.port };
}

test('root key provider: file by default, else inferred from the options given, or chosen', () => {
  const rk = (args: string[], env: NodeJS.ProcessEnv = {}) => parseServeArgs(args, env).rootKey;
  assert.deepEqual([rk([]).provider, rk([]).mayCreateFile], ['file', true]);
  assert.deepEqual([rk(['--root-key-file', '/k/root.key']).file, rk(['--root-key-file', '/k/root.key']).mayCreateFile], ['/k/root.key', false]);
  assert.equal(rk([], { COFFER_ROOT_KEY: 'abc' }).key, 'abc');
  assert.equal(rk([], { COFFER_ROOT_KEY_PASSPHRASE: 'a long passphrase' }).provider, 'passphrase');
  assert.equal(rk(['--root-key-passphrase-file', '/k/pass']).passphraseFile, '/k/pass');
  const kms = rk(['--root-key-kms-key-id', 'alias/root', '--root-key-kms-endpoint', 'https://kms.example:8443'], {
    COFFER_ROOT_KEY_KMS_ACCESS_KEY_ID: 'AKIAEXAMPLE', COFFER_ROOT_KEY_KMS_SECRET_ACCESS_KEY: 'secret',
  });
  assert.equal(kms.provider, 'kms');
  assert.deepEqual([kms.kms.keyId, kms.kms.endpoint, kms.kms.accessKeyId, kms.kms.secretAccessKey], ['alias/root', 'https://kms.example:8443', 'AKIAEXAMPLE', 'secret']);
  assert.equal(rk(['--root-key-provider', 'kms']).provider, 'kms');
  assert.equal(rk([], { COFFER_ROOT_KEY_PROVIDER: 'passphrase' }).provider, 'passphrase');
});

test('root key options of two providers, an unknown provider or half a credential pair are usage errors', () => {
  assert.throws(() => parseServeArgs(['--root-key-file', '/k'], { COFFER_ROOT_KEY_PASSPHRASE: 'x' }), /options of several root key providers are given \(file, passphrase\)/);
  assert.throws(() => parseServeArgs(['--root-key-provider', 'file', '--root-key-kms-key-id', 'k'], {}), /several root key providers/);
  assert.throws(() => parseServeArgs(['--root-key-provider', 'vault'], {}), /--root-key-provider must be one of file, passphrase, kms/);
  assert.throws(() => parseServeArgs(['--root-key-kms-endpoint', 'kms.example'], {}), /must be an http\(s\) URL/);
  assert.throws(() => parseServeArgs([], { COFFER_ROOT_KEY_KMS_ACCESS_KEY_ID: 'AKIA' }), /go together/);
  // Secret values have no flag: they would show in `ps`.
  assert.throws(() => parseServeArgs(['--root-key-passphrase', 'x'], {}), /unknown option --root-key-passphrase/);
});

test('the new key of a rotation: the same options prefixed new-, none given means none', () => {
  const next = (flags: Record<string, string>, env: NodeJS.ProcessEnv = {}) => parseRootKeySource((n) => flags[n], env, { prefix: 'new-', dataDir: '/d' });
  assert.equal(next({}), undefined);
  assert.equal(next({}, { COFFER_ROOT_KEY: 'the current key is not the new one' }), undefined);
  const file = next({ 'new-root-key-file': '/k/new.key' })!;
  assert.deepEqual([file.provider, file.file, file.mayCreateFile, file.naming.env], ['file', '/k/new.key', true, 'COFFER_NEW_']);
  assert.equal(next({}, { COFFER_NEW_ROOT_KEY_PASSPHRASE: 'p' })!.provider, 'passphrase');
  assert.throws(() => next({ 'new-root-key-provider': 'file' }), /the new root key needs --new-root-key-file FILE/);
});

test('--drain-grace-ms: how long a draining node keeps answering; 250 ms by default', () => {
  assert.equal(parseServeArgs([], {}).drainGraceMs, 250);
  assert.equal(parseServeArgs(['--drain-grace-ms', '15000'], {}).drainGraceMs, 15000);
  assert.equal(parseServeArgs([], { COFFER_DRAIN_GRACE_MS: '2000' }).drainGraceMs, 2000);
  assert.throws(() => parseServeArgs(['--drain-grace-ms', '-1'], {}), /--drain-grace-ms must be a whole number of milliseconds/);
});
