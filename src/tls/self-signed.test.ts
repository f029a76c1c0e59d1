import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureSelfSigned } from './self-signed.ts';

test('makes a CA and a server certificate for the loopback names once, key mode 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-'));
  try {
    const first = ensureSelfSigned(dir, '127.0.0.1');
    assert.equal(first.created, true);
    assert.equal(statSync(first.keyFile).mode & 0o777, 0o600);
    const cert = new X509Certificate(readFileSync(first.certFile));
    const ca = new X509Certificate(readFileSync(first.caFile));
    assert.ok(cert.verify(ca.publicKey));
    assert.ok(cert.checkIssued(ca));
    assert.equal(cert.ca, false);
    assert.equal(ca.ca, true);
    assert.ok(cert.checkHost('localhost'));
    assert.ok(cert.checkIP('127.0.0.1'));
    assert.ok(cert.checkIP('::1'));
    assert.equal(cert.checkHost('example.com'), undefined);
    const again = ensureSelfSigned(dir, '127.0.0.1');
    assert.equal(again.created, false, 'kept across starts');
    const other = ensureSelfSigned(dir, 'coffer.internal');
    assert.equal(other.created, true, 'a new listen host gets a new certificate');
    assert.ok(new X509Certificate(readFileSync(other.certFile)).checkHost('coffer.internal'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
