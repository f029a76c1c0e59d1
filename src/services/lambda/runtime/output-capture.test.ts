import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputCapture, newMarker } from './output-capture.ts';
import { logTail, LOG_TAIL_BYTES } from './log-lines.ts';

test('output before both markers is the invocation\'s, after them the next one\'s, however the pipes cut it', async () => {
  const c = new OutputCapture();
  c.feed('stdout', Buffer.from('loading\n'));
  const marker = newMarker();
  c.expect(marker);
  const out = Buffer.from(`one\ntwo${marker}late\n`);
  // Byte by byte: the marker arrives cut at every possible place.
  for (const b of out) c.feed('stdout', Buffer.from([b]));
  c.feed('stderr', Buffer.from(`warn\n${marker.slice(0, 5)}`));
  let seen = false;
  const waiting = c.markersSeen(5000).then(() => { seen = true; });
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, false, 'stderr\'s marker is not complete yet');
  c.feed('stderr', Buffer.from(marker.slice(5)));
  await waiting;
  assert.equal(c.take(), 'loading\none\ntwowarn\n');
  assert.equal(c.take(), 'late\n', 'what followed the marker starts the next window');
});

test('a window keeps its last bytes past the limit, and says so', () => {
  const c = new OutputCapture(10);
  c.feed('stdout', Buffer.from('0123456789abcdef'));
  assert.equal(c.take(), '[coffer: 6 bytes of earlier output dropped]\n6789abcdef');
});

test('markersSeen gives up after its grace period (a function that closed its stdout)', async () => {
  const c = new OutputCapture();
  c.expect(newMarker());
  const began = Date.now();
  await c.markersSeen(50);
  assert.ok(Date.now() - began >= 45);
});

test('the log tail is the last 4 KB, starting on a whole character', () => {
  const log = `START\n${'é'.repeat(3000)}END\n`;
  const tail = logTail(log);
  assert.ok(Buffer.byteLength(tail) <= LOG_TAIL_BYTES);
  assert.ok(tail.endsWith('END\n'));
  assert.ok(!tail.includes('\ufffd'));
  assert.equal(logTail('short'), 'short');
});
