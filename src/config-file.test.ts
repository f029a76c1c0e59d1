import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServeArgs, serveOptionNames, UsageError } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const path = join(dir, `coffer-${++n}.toml`);
  writeFileSync(path, text);
  return path;
}

describe('--config FILE', () => {
  const path = file(`
# a comment
listen = "0.0.0.0:5000"
data-dir = "/srv/coffer"
region = ["eu-west-1", "us-east-1"]
max-body-bytes = 2048
log-level = "warn"
function-concurrency = 8
metrics-listen = "127.0.0.1:9464"
root-key-file = "/etc/coffer/root.key"
`);

  test('fills every option it names; flag > environment > file > default', () => {
    const fromFile = parseServeArgs(['--config', path], {});
    assert.equal(fromFile.host, '0.0.0.0');
    assert.equal(fromFile.port, 5000);
    assert.equal(fromFile.dataDir, '/srv/coffer');
    assert.deepEqual(fromFile.regions, ['eu-west-1', 'us-east-1']);
    assert.equal(fromFile.maxBodyBytes, 2048);
    assert.equal(fromFile.logLevel, 'warn');
    assert.equal(fromFile.functions.concurrency, 8);
    assert.deepEqual(fromFile.metricsListen, { host: '127.0.0.1', port: 9464 });
    assert.equal(fromFile.rootKey.file, '/etc/coffer/root.key');
    assert.equal(fromFile.databaseUrl, 'sqlite:///srv/coffer/coffer.db', 'defaults follow the file\'s data dir');

    const env = { COFFER_CONFIG: path, COFFER_LISTEN: '127.0.0.1:6000', COFFER_REGION: 'ap-south-1', COFFER_ROOT_KEY_FILE: '/env/root.key' };
    const fromEnv = parseServeArgs([], env);
    assert.equal(fromEnv.port, 6000, 'the environment beats the file');
    assert.deepEqual(fromEnv.regions, ['ap-south-1']);
    assert.equal(fromEnv.rootKey.file, '/env/root.key');
    assert.equal(fromEnv.maxBodyBytes, 2048, 'what the environment does not set still comes from the file');

    const fromFlags = parseServeArgs(['--listen', '127.0.0.1:7000', '--region', 'us-west-2', '--root-key-file', '/flag/root.key'], env);
    assert.equal(fromFlags.port, 7000, 'a flag beats both');
    assert.deepEqual(fromFlags.regions, ['us-west-2']);
    assert.equal(fromFlags.rootKey.file, '/flag/root.key');
    assert.equal(fromFlags.logLevel, 'warn');
  });

  test('refuses unknown keys, wrong types, bad TOML and a missing file, naming the file', () => {
    const refuses = (text: string | null, message: RegExp) => {
      const p = text === null ? join(dir, 'missing.toml') : file(text);
      assert.throws(() => parseServeArgs(['--config', p], {}), (err: Error) => err instanceof UsageError && message.test(err.message) && err.message.includes(p));
    };
    refuses('data_dir = "/x"', /unknown setting 'data_dir' \(did you mean 'data-dir'\?\)/);
    refuses('listen = "a:1"\nbogus = 1\nother = 2', /unknown settings 'bogus', 'other'; the settings are the long option names of coffer serve/);
    refuses('config = "other.toml"', /unknown setting 'config'/);
    refuses('[serve]\nlisten = "a:1"', /unknown setting 'serve'/);
    refuses('max-body-bytes = { a = 1 }', /'max-body-bytes' must be a string, a number or a list of them, not a table/);
    refuses('region = []', /'region' is an empty list/);
    refuses('listen = "unterminated', /:1:\d+: not valid TOML/);
    refuses(null, /cannot read the configuration file .*: no such file/);
  });

  test('every serve option can be a file key', () => {
    const keys = serveOptionNames();
    // Each known key passes the unknown-key check (values are checked by the option's own parser).
    for (const key of keys) {
      try {
        parseServeArgs(['--config', file(`${key} = "x"`)], {});
      } catch (err) {
        assert.ok(!(err as Error).message.includes('unknown setting'), `${key}: ${(err as Error).message}`);
      }
    }
  });
});
