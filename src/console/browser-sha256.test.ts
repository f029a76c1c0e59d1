// The console's browser SHA-256 (console/src/shims/node-crypto.ts, used by rotation setup in the page) against node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash as nodeHash, randomBytes } from 'node:crypto';
import { createHash } from '../../console/src/shims/node-crypto.ts';

test('the browser SHA-256 matches node:crypto for strings and bytes of many lengths', () => {
  for (const len of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003]) {
    const bytes = new Uint8Array(randomBytes(len));
    assert.equal(createHash('sha256').update(bytes).digest('base64'), nodeHash('sha256').update(bytes).digest('base64'));
    const text = 'prod/db-é-' + 'x'.repeat(len % 200);
    assert.equal(createHash('sha256').update(text).digest('hex'), nodeHash('sha256').update(text).digest('hex'));
  }
});
