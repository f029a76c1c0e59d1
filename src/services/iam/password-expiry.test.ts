import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY_MS, passwordAge } from './password-expiry.ts';

const setAt = Date.UTC(2026, 0, 1);
const profile = { password_set_at: setAt, created_at: setAt - 100 * DAY_MS };

test('no policy, or a policy without MaxPasswordAge: passwords never expire', () => {
  assert.deepEqual(passwordAge(undefined, profile, setAt + 5000 * DAY_MS), { expired: false, hardExpired: false });
  assert.deepEqual(passwordAge({ max_password_age: null, hard_expiry: 1 }, profile, setAt + 5000 * DAY_MS), { expired: false, hardExpired: false });
});

test('MaxPasswordAge counts days from when the password was set; HardExpiry marks the expired password', () => {
  const policy = { max_password_age: 90, hard_expiry: 0 };
  assert.deepEqual(passwordAge(policy, profile, setAt + 90 * DAY_MS - 1), { expiresAt: setAt + 90 * DAY_MS, expired: false, hardExpired: false });
  assert.deepEqual(passwordAge(policy, profile, setAt + 90 * DAY_MS), { expiresAt: setAt + 90 * DAY_MS, expired: true, hardExpired: false });
  assert.equal(passwordAge({ ...policy, hard_expiry: 1 }, profile, setAt + 91 * DAY_MS).hardExpired, true);
  assert.equal(passwordAge({ ...policy, hard_expiry: 1 }, profile, setAt + 89 * DAY_MS).hardExpired, false);
});

test('a profile without password_set_at counts from its creation', () => {
  const old = { password_set_at: null, created_at: setAt };
  assert.equal(passwordAge({ max_password_age: 1, hard_expiry: 0 }, old, setAt + DAY_MS).expired, true);
});
