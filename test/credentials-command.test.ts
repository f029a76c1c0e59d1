/**
 * `coffer credentials` reads serve's configuration (flags, COFFER_* variables, --config file):
 * with TLS on it prints the https:// endpoint and AWS_CA_BUNDLE, and the AWS CLI, given only
 * what the line exports, reaches the node over HTTPS. COFFER_ENDPOINT still overrides.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, COFFER_BIN, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { AWS_CLI } from './helpers/clients.ts';
import { runCoffer } from './helpers/process.ts';

const run = promisify(execFile);
// The command reads files only; the database plays no part: the SQLite pass of `npm test` runs it.
const skip = TEST_DATABASE === 'postgres' ? 'no database involved: run in the SQLite pass' : false;

let server: TestServer;
before(async () => {
  if (skip) return;
  // root: null, so the first start writes DATA_DIR/root-credentials, as for an operator.
  server = await startServer({ args: ['--tls', 'self-signed'], root: null });
});
after(async () => { await server?.destroy(); });

function exported(line: string): Record<string, string> {
  assert.match(line, /^export (\w+=\S+ ?)+\n$/);
  return Object.fromEntries(line.trim().replace(/^export /, '').split(' ').map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

test('TLS on in the configuration: the https:// endpoint and the CA to trust, which the AWS CLI can use as printed', { skip }, async () => {
  const config = join(server.dataDir, 'coffer.toml');
  writeFileSync(config, `data-dir = "${server.dataDir}"\nlisten = "0.0.0.0:${server.port}"\ntls = "self-signed"\n`);
  const r = await runCoffer(['credentials', '--config', config]);
  assert.equal(r.code, 0, r.stderr);
  const vars = exported(r.stdout);
  assert.equal(vars.AWS_ENDPOINT_URL, server.endpoint);
  assert.equal(vars.AWS_CA_BUNDLE, join(server.dataDir, 'tls', 'ca.pem'));
  assert.equal(vars.AWS_ACCESS_KEY_ID, server.root.accessKeyId);

  // What an operator does: eval the line, then call. Debian's CLI 2.9 predates AWS_ENDPOINT_URL, hence the flag.
  const script = `eval "$("${process.execPath}" "${COFFER_BIN}" credentials --config "${config}")" && ` +
    `"${AWS_CLI}" --endpoint-url "$AWS_ENDPOINT_URL" --output json secretsmanager list-secrets`;
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  const { stdout } = await run('/bin/bash', ['-c', script], { env });
  assert.deepEqual(JSON.parse(stdout).SecretList, []);
});

test('flags and COFFER_* variables count as for serve; TLS off prints http:// and no CA; COFFER_ENDPOINT overrides', { skip }, async () => {
  const viaFlags = exported((await runCoffer(['credentials', '--data-dir', server.dataDir, '--tls', 'self-signed', '--listen', '127.0.0.1:4601'])).stdout);
  assert.equal(viaFlags.AWS_ENDPOINT_URL, 'https://127.0.0.1:4601');
  assert.equal(viaFlags.AWS_CA_BUNDLE, join(server.dataDir, 'tls', 'ca.pem'));

  const viaEnv = exported((await runCoffer(['credentials'], { env: { COFFER_DATA_DIR: server.dataDir, COFFER_TLS: 'self-signed', COFFER_TLS_CA: '/etc/coffer/ca.pem' } })).stdout);
  assert.equal(viaEnv.AWS_ENDPOINT_URL, 'https://127.0.0.1:4599');
  assert.equal(viaEnv.AWS_CA_BUNDLE, '/etc/coffer/ca.pem');

  const plain = exported((await runCoffer(['credentials', '--data-dir', server.dataDir])).stdout);
  assert.equal(plain.AWS_ENDPOINT_URL, 'http://127.0.0.1:4599');
  assert.equal(plain.AWS_CA_BUNDLE, undefined);

  const behindProxy = exported((await runCoffer(['credentials', '--data-dir', server.dataDir, '--tls', 'self-signed'], { env: { COFFER_ENDPOINT: 'http://proxy.internal:8080' } })).stdout);
  assert.equal(behindProxy.AWS_ENDPOINT_URL, 'http://proxy.internal:8080');
  assert.equal(behindProxy.AWS_CA_BUNDLE, undefined);
});

test('a data dir without root credentials, or an unknown option: a clear message, nothing printed', { skip }, async () => {
  const missing = await runCoffer(['credentials', '--data-dir', join(server.dataDir, 'nowhere')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stdout, '');
  assert.match(missing.stderr, /root-credentials: coffer serve writes it at its first start/);
  const unknown = await runCoffer(['credentials', '--frobnicate', 'x']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --frobnicate/);
});
