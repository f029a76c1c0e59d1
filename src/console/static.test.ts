import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveConsoleFile } from './static.ts';

test('console files: index no-cache, hashed assets immutable, SPA fallback, no escaping the dist, 503 without a build', async () => {
  const dist = mkdtempSync(join(tmpdir(), 'coffer-console-')) + '/';
  try {
    const missing = await serveConsoleFile('GET', '/console/', dist);
    assert.equal(missing.status, 503);
    assert.match(String(missing.body), /npm run build:console/);
    writeFileSync(join(dist, 'index.html'), '<!doctype html><p>app</p>');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    const index = await serveConsoleFile('GET', '/console/', dist);
    assert.equal(index.status, 200);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.headers['content-security-policy']!, /^default-src 'self'; script-src 'self'; style-src 'self'/);
    const js = await serveConsoleFile('GET', '/console/assets/index-abc123.js?v=1', dist);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await serveConsoleFile('GET', '/console/iam/users', dist)).status, 200);
    assert.equal((await serveConsoleFile('GET', '/console/assets/gone.js', dist)).status, 404);
    for (const sneaky of ['/console/../package.json', '/console/%2e%2e/%2e%2e/etc/passwd', '/console/assets/%00.js', '/console/%E0%A4%A.js']) {
      const r = await serveConsoleFile('GET', sneaky, dist);
      assert.ok(r.status === 404 || (r.status === 200 && String(r.body).includes('<p>app</p>')), `${sneaky}: ${r.status}`);
    }
    assert.equal((await serveConsoleFile('POST', '/console/', dist)).status, 405);
    assert.equal((await serveConsoleFile('GET', '/console', dist)).status, 301);
  } finally {
    rmSync(dist, { recursive: true, force: true });
  }
});
