import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseReplicationOptions } from './options.ts';

function parse(flags: Record<string, string[]>, env: NodeJS.ProcessEnv = {}) {
  return parseReplicationOptions((name) => flags[name]?.at(-1), (name) => flags[name] ?? [], env);
}

test('peer regions with credentials from a credentials file: the region\'s profile, else default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-opts-'));
  try {
    const file = join(dir, 'creds');
    writeFileSync(file, '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[eu-west-1]\naws_access_key_id = AKIAEU\naws_secret_access_key = e\n');
    const o = parse({ 'peer-region': ['eu-west-1=https://eu.example:4599/', 'us-west-2=http://10.0.0.2:4599'], 'peer-credentials-file': [file] });
    assert.deepEqual(o.peers.get('eu-west-1'), { region: 'eu-west-1', endpoint: 'https://eu.example:4599', credentials: { accessKeyId: 'AKIAEU', secretAccessKey: 'e', sessionToken: undefined } });
    assert.equal(o.peers.get('us-west-2')!.credentials!.accessKeyId, 'AKIADEFAULT');
    assert.equal(o.intervalMs, 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('environment credentials, trust, and bad values refused', () => {
  const o = parse({ 'peer-region': ['us-west-2=http://h:1'], 'replication-trust': ['arn:aws:iam::111122223333:user/r'] },
    { COFFER_PEER_ACCESS_KEY_ID: 'AKIAENV', COFFER_PEER_SECRET_ACCESS_KEY: 's' });
  assert.equal(o.peers.get('us-west-2')!.credentials!.accessKeyId, 'AKIAENV');
  assert.deepEqual(o.trust, ['arn:aws:iam::111122223333:user/r']);
  assert.throws(() => parse({ 'peer-region': ['us-west-2'] }), /REGION=http/);
  assert.throws(() => parse({ 'peer-region': ['nowhere=http://h:1'] }), /REGION=http/);
  assert.throws(() => parse({ 'replication-trust': ['bob'] }), /principal ARN/);
  assert.throws(() => parse({ 'replication-interval-ms': ['0'] }), /at least 10/);
  assert.throws(() => parse({}, { COFFER_PEER_ACCESS_KEY_ID: 'x' }), /go together/);
});
