import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignInBackoff } from './backoff.ts';

test('failures beyond the free ones make callers wait, doubling up to a minute; success clears the user only', () => {
  let now = 1_000_000;
  const b = new SignInBackoff(() => now);
  const user = { key: 'user:1/alice', free: 3 };
  const ip = { key: 'ip:10.0.0.1', free: 10 };
  for (let i = 0; i < 2; i++) b.failed([user, ip]);
  assert.equal(b.waitFor([user, ip]), 0);
  b.failed([user, ip]);
  assert.equal(b.waitFor([user, ip]), 1000);
  b.failed([user, ip]);
  assert.equal(b.waitFor([user]), 2000);
  for (let i = 0; i < 10; i++) b.failed([user]);
  assert.equal(b.waitFor([user]), 60_000);
  now += 60_000;
  assert.equal(b.waitFor([user]), 0);
  b.succeeded([user, ip]);
  assert.equal(b.waitFor([user]), 0);
  // The address keeps its count: four failures of its ten.
  for (let i = 0; i < 5; i++) b.failed([ip]);
  assert.equal(b.waitFor([ip]), 0);
  b.failed([ip]);
  assert.equal(b.waitFor([ip]), 1000);
  // Fifteen quiet minutes forget everything.
  now += 15 * 60_000 + 1;
  assert.equal(b.waitFor([ip]), 0);
});
