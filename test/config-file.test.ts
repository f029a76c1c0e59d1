// e2e: sqlite only — the configuration file is read before any database is opened.
/**
 * `coffer serve --config FILE` / COFFER_CONFIG as an operator uses it: a TOML file sets the
 * options, the environment and flags override it, and a bad file stops the start (exit 2)
 * with the file, line and key named.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './helpers/server.ts';
import { runCoffer } from './helpers/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-config-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a server takes its options from COFFER_CONFIG, below the environment and flags', async () => {
  const file = join(dir, 'coffer.toml');
  writeFileSync(file, [
    'region = ["us-east-1", "eu-west-1"]',
    'metrics-listen = "off"',
    'account-id = "111111111111"',
    'listen = "127.0.0.1:1"          # overridden by the test helper\'s --listen flag',
    'log-level = "error"',
  ].join('\n'));
  const server = await startServer({ env: { COFFER_CONFIG: file, COFFER_ACCOUNT_ID: '222233334444' } });
  try {
    const out = server.stdout();
    assert.match(out, /regions:\s+us-east-1, eu-west-1\n/);
    assert.equal(server.accountId, '222233334444', 'the environment beats the file');
    assert.doesNotMatch(out, /metrics:/, 'metrics-listen = "off" from the file');
    const metrics = await fetch(`${server.endpoint}/metrics`);
    assert.notEqual(metrics.status, 200);
    assert.equal((await fetch(`${server.endpoint}/ready`)).status, 200);
  } finally {
    await server.destroy();
  }
});

test('a bad file stops the start with exit 2, naming the file and what is wrong', async () => {
  const unknown = join(dir, 'unknown.toml');
  writeFileSync(unknown, 'listen = "127.0.0.1:0"\ndata_dir = "/tmp/x"\n');
  const r1 = await runCoffer(['serve', '--config', unknown]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, new RegExp(`^coffer: ${unknown}: unknown setting 'data_dir' \\(did you mean 'data-dir'\\?\\)`));
  const broken = join(dir, 'broken.toml');
  writeFileSync(broken, 'listen = "127.0.0.1:0"\nregion = [\n');
  const r2 = await runCoffer(['serve'], { env: { COFFER_CONFIG: broken } });
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, new RegExp(`^coffer: ${broken}:\\d+:\\d+: not valid TOML`));
  assert.equal(r2.stdout, '');
});
