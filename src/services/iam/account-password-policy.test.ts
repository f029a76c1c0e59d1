import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPassword, type PasswordPolicyRow } from './account-password-policy.ts';

const policy = (over: Partial<PasswordPolicyRow>): PasswordPolicyRow => ({
  account_id: '111122223333', minimum_password_length: 6, require_symbols: 0, require_numbers: 0, require_uppercase: 0, require_lowercase: 0,
  allow_users_to_change_password: 0, max_password_age: null, password_reuse_prevention: null, hard_expiry: 0, updated_at: 0, ...over,
});
const violates = (p: PasswordPolicyRow | undefined, password: string | undefined) =>
  assert.throws(() => checkPassword(p, password), { code: 'PasswordPolicyViolation', status: 400, message: 'Password does not conform to the account password policy.' });

test('without an account policy: AWS\'s default, 8–128 characters with three of four kinds', () => {
  for (const ok of ['Abcdefg1', 'abcdefg1!', 'ABCDEFG1!', 'Ab!'.repeat(3)]) checkPassword(undefined, ok);
  for (const bad of ['Abcde1!', 'abcdefgh1', 'ABCDEFGHI!', 'A1!'.repeat(43), undefined]) violates(undefined, bad);
});

test('with one: exactly its rules, no more', () => {
  checkPassword(policy({}), 'simple');
  violates(policy({}), 'short');
  violates(policy({ minimum_password_length: 10 }), 'ninechars');
  violates(policy({ require_uppercase: 1 }), 'lowercase');
  violates(policy({ require_lowercase: 1 }), 'UPPERCASE');
  violates(policy({ require_numbers: 1 }), 'no-digits');
  violates(policy({ require_symbols: 1 }), 'NoSymbols1');
  // AWS's symbols: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '
  checkPassword(policy({ require_symbols: 1 }), "quote'd");
  violates(policy({ require_symbols: 1 }), 'tilde~only');
  checkPassword(policy({ minimum_password_length: 8, require_uppercase: 1, require_lowercase: 1, require_numbers: 1, require_symbols: 1 }), 'Aa1!aaaa');
});
