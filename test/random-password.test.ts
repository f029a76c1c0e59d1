/**
 * GetRandomPassword through the real clients: the default recipe, every parameter, the
 * length limits, impossible combinations. Randomness is checked only where a failure would
 * need odds below 1e-15, so these tests do not flake.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetRandomPasswordCommand, type GetRandomPasswordRequest, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TestServer } from './helpers/server.ts';
import { useServer } from './helpers/suite.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const ALL = UPPER + LOWER + DIGITS + PUNCTUATION;

let server: TestServer;
let sm: SecretsManagerClient;

useServer((s, client) => { server = s; sm = client; });

async function password(input: GetRandomPasswordRequest = {}): Promise<string> {
  const out = await sm.send(new GetRandomPasswordCommand(input));
  assert.equal(typeof out.RandomPassword, 'string');
  return out.RandomPassword!;
}

const has = (pw: string, set: string) => [...pw].some((c) => set.includes(c));
const onlyFrom = (pw: string, set: string) => [...pw].every((c) => set.includes(c));

describe('GetRandomPassword', () => {
  test('defaults: 32 characters from upper, lower, digits and punctuation, one of each, no space', async () => {
    for (let i = 0; i < 20; i++) {
      const pw = await password();
      assert.equal(pw.length, 32);
      assert.ok(onlyFrom(pw, ALL), pw);
      for (const set of [UPPER, LOWER, DIGITS, PUNCTUATION]) assert.ok(has(pw, set), `${pw} lacks one of ${set}`);
    }
  });

  test('passwords differ, and a long one uses every allowed character', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await password());
    assert.equal(seen.size, 20);
    // 94 characters, 4096 draws: a given character is missing with odds (93/94)^4096 ≈ 1e-19.
    const pw = await password({ PasswordLength: 4096 });
    assert.equal(pw.length, 4096);
    assert.deepEqual(new Set(pw), new Set(ALL));
  });

  test('PasswordLength 1 to 4096', async () => {
    assert.equal((await password({ PasswordLength: 4 })).length, 4);
    assert.equal((await password({ PasswordLength: 1, RequireEachIncludedType: false })).length, 1);
    assert.equal((await password({ PasswordLength: 1, ExcludeUppercase: true, ExcludeLowercase: true, ExcludePunctuation: true })).length, 1);
    assert.equal((await password({ PasswordLength: 4096 })).length, 4096);
  });

  for (const length of [0, 4097, -1]) {
    test(`PasswordLength ${length} → ValidationException`, async () => {
      await rejectsWith(password({ PasswordLength: length }), 'ValidationException',
        new RegExp(`Value '${length}' at 'passwordLength' failed to satisfy constraint: Member must have value (greater|less) than or equal to (1|4096)`));
    });
  }

  test('a length below the number of required types → InvalidParameterException', async () => {
    for (const input of [{ PasswordLength: 3 }, { PasswordLength: 1 }, { PasswordLength: 2, ExcludeNumbers: true }]) {
      await rejectsWith(password(input), 'InvalidParameterException', 'Password length is too short based on the required types.');
    }
    // Exactly as many characters as required types is fine.
    const pw = await password({ PasswordLength: 3, ExcludeNumbers: true });
    for (const set of [UPPER, LOWER, PUNCTUATION]) assert.ok(has(pw, set), pw);
  });

  const exclusions: [keyof GetRandomPasswordRequest, string][] = [
    ['ExcludeNumbers', DIGITS], ['ExcludePunctuation', PUNCTUATION], ['ExcludeUppercase', UPPER], ['ExcludeLowercase', LOWER],
  ];
  for (const [flag, set] of exclusions) {
    test(`${flag}: none of those characters, the others all still required`, async () => {
      const pw = await password({ PasswordLength: 2000, [flag]: true });
      assert.equal(pw.length, 2000);
      assert.ok(!has(pw, set), `${flag} but got ${pw}`);
      for (const other of [UPPER, LOWER, DIGITS, PUNCTUATION].filter((s) => s !== set)) assert.ok(has(pw, other));
    });
  }

  test('only one class left', async () => {
    const pw = await password({ ExcludeUppercase: true, ExcludeLowercase: true, ExcludePunctuation: true });
    assert.equal(pw.length, 32);
    assert.ok(onlyFrom(pw, DIGITS), pw);
  });

  test('ExcludeCharacters removes exactly those characters and keeps the length exact', async () => {
    const excluded = 'aeiouAEIOU01!"\'\\/@` ';
    for (const length of [8, 33, 3000]) {
      const pw = await password({ PasswordLength: length, ExcludeCharacters: excluded, IncludeSpace: true });
      assert.equal(pw.length, length);
      assert.ok(!has(pw, excluded), pw);
    }
    // Everything not excluded can still appear (odds of a miss ≈ 1e-16 over 4096 draws).
    const pw = await password({ PasswordLength: 4096, ExcludeCharacters: excluded });
    const allowed = [...ALL].filter((c) => !excluded.includes(c));
    assert.deepEqual(new Set(pw), new Set(allowed));
  });

  test('ExcludeCharacters that empties a class: refused while it is required, fine when not', async () => {
    await rejectsWith(password({ ExcludeCharacters: DIGITS }), 'InvalidParameterException');
    const pw = await password({ ExcludeCharacters: DIGITS, RequireEachIncludedType: false });
    assert.equal(pw.length, 32);
    assert.ok(!has(pw, DIGITS));
    // The class is switched off explicitly: nothing to require.
    const pw2 = await password({ ExcludeCharacters: DIGITS, ExcludeNumbers: true });
    assert.ok(!has(pw2, DIGITS));
  });

  test('excluding every character → InvalidParameterException', async () => {
    await rejectsWith(password({ ExcludeNumbers: true, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeLowercase: true }), 'InvalidParameterException');
    await rejectsWith(password({ ExcludeCharacters: ALL, RequireEachIncludedType: false }), 'InvalidParameterException');
  });

  test('IncludeSpace adds the space; it is never there otherwise', async () => {
    // 95 characters, 4096 draws: no space with odds ≈ 1e-19.
    const withSpace = await password({ PasswordLength: 4096, IncludeSpace: true });
    assert.ok(withSpace.includes(' '));
    const without = await password({ PasswordLength: 4096 });
    assert.ok(!without.includes(' '));
    const excludedSpace = await password({ PasswordLength: 4096, IncludeSpace: true, ExcludeCharacters: ' ' });
    assert.ok(!excludedSpace.includes(' '));
    // The space alone is a valid pool.
    const spaces = await password({ PasswordLength: 5, IncludeSpace: true, ExcludeNumbers: true, ExcludePunctuation: true, ExcludeUppercase: true, ExcludeLowercase: true });
    assert.equal(spaces, '     ');
  });

  test('RequireEachIncludedType=false allows passwords that lack a class', async () => {
    // With 4 characters and no requirement, some of 200 draws lack a class (odds of none ≈ 1e-30).
    let lacking = 0;
    const pws = await Promise.all(Array.from({ length: 200 }, () => password({ PasswordLength: 4, RequireEachIncludedType: false })));
    for (const pw of pws) {
      assert.equal(pw.length, 4);
      if (![UPPER, LOWER, DIGITS, PUNCTUATION].every((set) => has(pw, set))) lacking++;
    }
    assert.ok(lacking > 0);
    // With the default (true), short passwords always have every class.
    const required = await Promise.all(Array.from({ length: 50 }, () => password({ PasswordLength: 4 })));
    for (const pw of required) for (const set of [UPPER, LOWER, DIGITS, PUNCTUATION]) assert.ok(has(pw, set), pw);
  });

  test('ExcludeCharacters longer than 4096 → ValidationException', async () => {
    await rejectsWith(password({ ExcludeCharacters: 'a'.repeat(4097) }), 'ValidationException', /excludeCharacters/);
  });

  test('through the AWS CLI', async () => {
    const res = await awsCli(server, ['secretsmanager', 'get-random-password', '--password-length', '20', '--exclude-punctuation', '--exclude-characters', 'xyzXYZ']);
    assert.equal(res.code, 0, res.stderr);
    const pw = res.json.RandomPassword as string;
    assert.equal(pw.length, 20);
    assert.ok(onlyFrom(pw, UPPER + LOWER + DIGITS), pw);
    assert.ok(!has(pw, 'xyzXYZ'), pw);
    const bad = await awsCli(server, ['secretsmanager', 'get-random-password', '--password-length', '2']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidParameterException/);
    assert.match(bad.stderr, /Password length is too short based on the required types\./);
  });
});
