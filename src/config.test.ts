import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { parseRegions, parseServeArgs, UsageError } from './config.ts';

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
  assert.equal(config.rootKeyFile, join(resolve('coffer-data'), 'root.key'));
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
