// e2e: sqlite only — limits, timeouts, file modes and parsers sit in front of storage.
/**
 * Hardening: header size and count limits, a connection limit, slow clients (headers or body
 * dribbled in) cut off, refusal to start with a world-readable root key or an open data dir,
 * and a short run of the protocol/SigV4/policy fuzzer (`npm run fuzz` runs a million cases).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type TestServer } from './helpers/server.ts';
import { runCoffer } from './helpers/process.ts';
import { runFuzz } from '../scripts/fuzz.ts';

/** Sends raw bytes, returns what came back and whether/when the server closed the socket. */
function rawExchange(server: TestServer, chunks: (string | { waitMs: number })[], opts: { untilMs?: number } = {}): Promise<{ data: string; closedAfterMs: number | undefined; reset: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(server.port, '127.0.0.1');
    let data = '';
    let reset = false;
    const started = performance.now();
    let closedAfterMs: number | undefined;
    let stop = false;
    socket.setEncoding('utf8').on('data', (d: string) => { data += d; });
    socket.on('error', () => { reset = true; });
    socket.on('close', () => {
      closedAfterMs = performance.now() - started;
      stop = true;
      clearTimeout(timer);
      resolve({ data, closedAfterMs, reset });
    });
    const timer = setTimeout(() => { stop = true; socket.destroy(); }, opts.untilMs ?? 5000);
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (stop) return;
        if (typeof c === 'string') socket.write(c);
        else await new Promise((r) => setTimeout(r, c.waitMs));
      }
    });
  }).then((r) => (r as { data: string; closedAfterMs: number | undefined; reset: boolean }));
}

describe('request limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--max-header-bytes', '4096', '--max-header-count', '20', '--max-connections', '6', '--headers-timeout', '0.5', '--request-timeout', '1'] });
  });
  after(() => server?.destroy());

  test('headers over --max-header-bytes: 431 and the connection closes', async () => {
    const r = await rawExchange(server, [`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`]);
    assert.match(r.data, /^HTTP\/1\.1 431 /);
    assert.ok(r.closedAfterMs !== undefined);
  });

  test('more header fields than --max-header-count: 431 and close; at the limit: served', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: v\r\n`).join('');
    const over = await rawExchange(server, [`GET /health HTTP/1.1\r\nHost: x\r\n${fields(20)}\r\n`]);
    assert.match(over.data, /^HTTP\/1\.1 431 /);
    assert.match(over.data, /connection: close/i);
    const at = await rawExchange(server, [`GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${fields(18)}\r\n`]);
    assert.match(at.data, /^HTTP\/1\.1 200 /);
  });

  test('a client dribbling its headers is cut off after --headers-timeout', async () => {
    const dribble: (string | { waitMs: number })[] = ['GET /health HTTP/1.1\r\nHost: x\r\n'];
    // Fewer fields than --max-header-count: what ends it is the timeout.
    for (let i = 0; i < 15; i++) dribble.push({ waitMs: 200 }, `X-Slow-${i}: 1\r\n`);
    const r = await rawExchange(server, dribble, { untilMs: 8000 });
    assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < 3500, `closed after ${r.closedAfterMs?.toFixed(0)} ms`);
    assert.match(r.data, /^HTTP\/1\.1 408 |^$/);
  });

  test('a client dribbling its body is cut off after --request-timeout', async () => {
    const dribble: (string | { waitMs: number })[] = [
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: secretsmanager.ListSecrets\r\nContent-Length: 100\r\n\r\n',
    ];
    for (let i = 0; i < 60; i++) dribble.push({ waitMs: 100 }, ' ');
    const r = await rawExchange(server, dribble, { untilMs: 8000 });
    assert.ok(r.closedAfterMs !== undefined && r.closedAfterMs < 4000, `closed after ${r.closedAfterMs?.toFixed(0)} ms`);
  });

  test('connections beyond --max-connections are closed at once; a freed slot serves again', async () => {
    const held: Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const s = connect(server.port, '127.0.0.1');
        await new Promise((r) => s.once('connect', r));
        held.push(s);
      }
      // Let the server accept them all before the next one arrives.
      await new Promise((r) => setTimeout(r, 100));
      const refused = await rawExchange(server, ['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      assert.doesNotMatch(refused.data, /HTTP\/1\.1 200/);
      assert.ok(refused.closedAfterMs !== undefined && refused.closedAfterMs < 2000);
      held.pop()!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const served = await rawExchange(server, ['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
      assert.match(served.data, /^HTTP\/1\.1 200 /);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});

describe('refusal to start with secrets open to other users', () => {
  test('a data dir others can read: exit 1 with the mode and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-perm-'));
    try {
      chmodSync(dir, 0o755);
      const r = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`the data directory ${dir} has mode 0755: other users can read it.*chmod 700`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a world-readable root key file: exit 1; mode 0600: starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-perm-'));
    const keyDir = mkdtempSync(join(tmpdir(), 'coffer-perm-key-'));
    try {
      const key = join(keyDir, 'root.key');
      writeFileSync(key, randomBytes(32).toString('base64') + '\n', { mode: 0o644 });
      chmodSync(key, 0o644);
      const r = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--root-key-file', key]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`the root key file ${key} has mode 0644: every user of this machine can read it. Restrict it \\(chmod 600 ${key}\\)`));
      chmodSync(key, 0o600);
      const ok = await startServer({ dataDir: dir, args: ['--root-key-file', key] });
      await ok.destroy();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});

test('fuzzing the protocol parsers, SigV4 and the policy parser: no crash (short run; npm run fuzz runs a million)', async () => {
  const report = await runFuzz({ cases: 15_000, seed: 2 });
  assert.deepEqual(report.crashes, []);
  for (const [name, s] of Object.entries(report.byTarget)) {
    assert.ok(s.cases > 0);
    // Generous for a loaded CI machine; npm run fuzz holds cases to 250 ms.
    assert.ok(s.slowestMs < 2000, `${name}: slowest case took ${s.slowestMs.toFixed(0)} ms (case ${s.slowestCase})`);
  }
});
