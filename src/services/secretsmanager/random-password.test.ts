import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../errors.ts';
import {
  DIGITS,
  LOWERCASE,
  PUNCTUATION,
  UPPERCASE,
  generateRandomPassword,
} from './random-password.ts';

const has = (pw: string, set: string) => [...pw].some((c) => set.includes(c));
const ipe = (message: string) => (err: unknown) =>
  err instanceof AwsError && err.code === 'InvalidParameterException' && err.message === message;

test('punctuation is the 32 printable ASCII non-alphanumerics', () => {
  assert.equal(PUNCTUATION.length, 32);
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
  const expected = [...printable].filter((c) => !/[A-Za-z0-9 ]/.test(c)).join('');
  assert.equal([...PUNCTUATION].sort().join(''), [...expected].sort().join(''));
});

test('defaults: 32 characters, every class present, no space', () => {
  for (let i = 0; i < 200; i++) {
    const pw = generateRandomPassword();
    assert.equal(pw.length, 32);
    for (const set of [UPPERCASE, LOWERCASE, DIGITS, PUNCTUATION]) assert.ok(has(pw, set), pw);
    assert.ok(!pw.includes(' '));
  }
});

test('length 4 still contains one of each required class', () => {
  for (let i = 0; i < 500; i++) {
    const pw = generateRandomPassword({ PasswordLength: 4 });
    assert.equal(pw.length, 4);
    for (const set of [UPPERCASE, LOWERCASE, DIGITS, PUNCTUATION]) assert.ok(has(pw, set), pw);
  }
});

test('required characters are not pinned to positions', () => {
  // With 4 classes in 4 slots, an unshuffled generator would always start with uppercase.
  const firsts = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const c = generateRandomPassword({ PasswordLength: 4 })[0];
    firsts.add([UPPERCASE, LOWERCASE, DIGITS, PUNCTUATION].findIndex((s) => s.includes(c)).toString());
  }
  assert.equal(firsts.size, 4);
});

test('ExcludeCharacters removes characters and keeps the exact length', () => {
  const exclude = 'abcdefghijklmnopqrstuvwxy012345678!@#';
  for (let i = 0; i < 100; i++) {
    const pw = generateRandomPassword({ PasswordLength: 50, ExcludeCharacters: exclude });
    assert.equal(pw.length, 50);
    for (const c of exclude) assert.ok(!pw.includes(c));
    assert.ok(pw.includes('z') && pw.includes('9'), 'the only remaining lowercase letter and digit must appear');
  }
});

test('Exclude* switches remove whole classes', () => {
  for (let i = 0; i < 100; i++) {
    const pw = generateRandomPassword({ ExcludePunctuation: true, ExcludeNumbers: true, ExcludeUppercase: true });
    assert.match(pw, /^[a-z]{32}$/);
  }
});

test('IncludeSpace admits a space without requiring it; ExcludeCharacters wins', () => {
  let sawSpace = false;
  for (let i = 0; i < 200 && !sawSpace; i++) {
    sawSpace = generateRandomPassword({ PasswordLength: 100, IncludeSpace: true }).includes(' ');
  }
  assert.ok(sawSpace);
  const only = generateRandomPassword({
    IncludeSpace: true,
    ExcludeUppercase: true,
    ExcludeLowercase: true,
    ExcludeNumbers: true,
    ExcludePunctuation: true,
    PasswordLength: 5,
  });
  assert.equal(only, '     ');
  assert.throws(
    () =>
      generateRandomPassword({
        IncludeSpace: true,
        ExcludeCharacters: ' ',
        ExcludeUppercase: true,
        ExcludeLowercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ipe('All characters have been excluded from selection.'),
  );
});

test('RequireEachIncludedType=false may omit classes and allows short lengths', () => {
  const pw = generateRandomPassword({ PasswordLength: 1, RequireEachIncludedType: false });
  assert.equal(pw.length, 1);
  // A class emptied by ExcludeCharacters is simply absent when nothing is required.
  const noDigits = generateRandomPassword({ ExcludeCharacters: DIGITS, RequireEachIncludedType: false });
  assert.ok(!has(noDigits, DIGITS));
});

test('errors', () => {
  assert.throws(
    () =>
      generateRandomPassword({
        ExcludeUppercase: true,
        ExcludeLowercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ipe('All characters have been excluded from selection.'),
  );
  assert.throws(
    () => generateRandomPassword({ PasswordLength: 3 }),
    ipe('Password length is too short based on the required types.'),
  );
  assert.doesNotThrow(() => generateRandomPassword({ PasswordLength: 3, ExcludePunctuation: true }));
  assert.throws(
    () => generateRandomPassword({ ExcludeCharacters: DIGITS }),
    ipe('All characters of the desired type have been excluded.'),
  );
  assert.throws(() => generateRandomPassword({ PasswordLength: 0 }), AwsError);
  assert.throws(() => generateRandomPassword({ PasswordLength: 4097 }), AwsError);
});

test('distribution over a small pool is roughly uniform', () => {
  const counts = new Map<string, number>();
  const pw = generateRandomPassword({
    PasswordLength: 4096,
    ExcludeUppercase: true,
    ExcludeLowercase: true,
    ExcludePunctuation: true,
  });
  for (const c of pw) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.equal(counts.size, 10);
  // Expected ~410 each; bounds are > 6 sigma wide so this never flakes.
  for (const n of counts.values()) assert.ok(n > 290 && n < 530, String(n));
});
