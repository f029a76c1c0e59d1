import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventIdAt } from './event-id.ts';

test('event ids are version 7 UUIDs that sort by their time', () => {
  const at = Date.parse('2026-01-02T03:04:05.678Z');
  const id = eventIdAt(at);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  assert.ok(eventIdAt(at) < eventIdAt(at + 1));
  assert.notEqual(eventIdAt(at), eventIdAt(at));
});
