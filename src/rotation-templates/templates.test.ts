/** Unit tests of the built-in rotation functions' pure parts: settings, secret JSON, quoting, verifiers, packaging. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { unzipSync } from 'fflate';
import { envFlag, passwordRequest, tlsMode } from './settings.ts';
import { alternateUsername, baseUsername, parseDbSecret } from './secret-json.ts';
import { quoteIdent, quoteLiteral } from './postgres.ts';
import { quoteAccount, quoteName, stringLiteral } from './mysql.ts';
import { scramSafe, scramVerifier } from './pg-scram.ts';
import { ROTATION_TEMPLATES, TEMPLATE_NAMES, isTemplateName, templateZip } from './index.ts';

test('password settings are read as AWS templates read them, all seven always sent', () => {
  assert.deepEqual(passwordRequest({}, ':/@"\'\\'), {
    ExcludeCharacters: ':/@"\'\\', PasswordLength: 32, ExcludeNumbers: false, ExcludePunctuation: false,
    ExcludeUppercase: false, ExcludeLowercase: false, RequireEachIncludedType: true,
  });
  const r = passwordRequest({ EXCLUDE_CHARACTERS: 'abc', PASSWORD_LENGTH: '20', EXCLUDE_PUNCTUATION: 'YES', REQUIRE_EACH_INCLUDED_TYPE: 'no' }, 'x');
  assert.equal(r.ExcludeCharacters, 'abc');
  assert.equal(r.PasswordLength, 20);
  assert.equal(r.ExcludePunctuation, true);
  assert.equal(r.RequireEachIncludedType, false);
  for (const v of ['true', '1', 'y', 'Yes', 'TRUE']) assert.equal(envFlag({ X: v }, 'X', false), true, v);
  for (const v of ['false', '0', 'n', 'on', '']) assert.equal(envFlag({ X: v }, 'X', true), false, v);
  assert.throws(() => passwordRequest({ PASSWORD_LENGTH: 'long' }, ''), /PASSWORD_LENGTH/);
});

test('TLS: the secret\'s ssl (bool or string), REQUIRE_SSL, else try TLS first', () => {
  assert.equal(tlsMode(true, {}), 'require');
  assert.equal(tlsMode('TRUE', {}), 'require');
  assert.equal(tlsMode(false, {}), 'disable');
  assert.equal(tlsMode('false', {}), 'disable');
  assert.equal(tlsMode(undefined, {}), 'prefer');
  assert.equal(tlsMode(false, { REQUIRE_SSL: 'true' }), 'require');
});

test('secret JSON: required keys, accepted engines, port', () => {
  const ok = parseDbSecret('{"engine":"postgres","host":"h","username":"u","password":"p","port":"5432"}', ['postgres']);
  assert.equal(ok.username, 'u');
  assert.throws(() => parseDbSecret('{"engine":"mysql","host":"h","username":"u","password":"p"}', ['postgres']), /Database engine must be set/);
  assert.throws(() => parseDbSecret('{"engine":"postgres","host":"h","username":"u"}', ['postgres']), /password key is missing/);
  assert.throws(() => parseDbSecret('[1]', ['postgres']), /not a JSON object/);
  assert.throws(() => parseDbSecret('nope', ['postgres']), /not a JSON object/);
  assert.throws(() => parseDbSecret('{"engine":"postgres","host":"h","username":"u","password":"p","port":"x"}', ['postgres']), /port/);
});

test('alternating names: user ↔ user_clone', () => {
  assert.equal(alternateUsername('app'), 'app_clone');
  assert.equal(alternateUsername('app_clone'), 'app');
  assert.equal(baseUsername('app_clone'), 'app');
  assert.equal(baseUsername('app'), 'app');
});

test('PostgreSQL quoting: identifiers always quoted, literals safe under either standard_conforming_strings', () => {
  assert.equal(quoteIdent('evil"; DROP ROLE x; --'), '"evil""; DROP ROLE x; --"');
  assert.equal(quoteLiteral("a'b"), "'a''b'");
  assert.equal(quoteLiteral("a\\'b"), "E'a\\\\''b'");
  assert.throws(() => quoteIdent('a\0b'), /NUL/);
});

test('MySQL quoting: backticks for names, literals by sql_mode', () => {
  assert.equal(quoteName('ev`il'), '`ev``il`');
  assert.equal(quoteAccount("a'b", '%'), "`a'b`@`%`");
  assert.equal(stringLiteral("a'b\\", false), "'a''b\\\\'");
  assert.equal(stringLiteral("a'b\\", true), "'a''b\\'");
  assert.throws(() => stringLiteral('a\0', false), /NUL/);
});

test('SCRAM-SHA-256 verifier in PostgreSQL\'s format, checkable with RFC 5802\'s formulas', () => {
  const salt = Buffer.from('0123456789abcdef');
  const v = scramVerifier('pencil', salt);
  const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(v);
  assert.ok(m, v);
  assert.equal(Buffer.from(m[1]!, 'base64').toString(), '0123456789abcdef');
  const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
  const stored = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  assert.equal(m[2], stored);
  assert.notEqual(scramVerifier('pencil'), scramVerifier('pencil'), 'a random salt each time');
  assert.equal(scramSafe('abc DEF~!'), true);
  assert.equal(scramSafe('pässword'), false, 'non-ASCII goes as is (SASLprep is the server\'s)');
});

test('the four templates, and their packages: one index.mjs exporting handler, bundled once', async () => {
  assert.deepEqual(TEMPLATE_NAMES, ['postgresql-single-user', 'postgresql-alternating-users', 'mysql-single-user', 'mysql-alternating-users']);
  assert.equal(isTemplateName('postgresql-single-user'), true);
  assert.equal(isTemplateName('toString'), false);
  assert.equal(ROTATION_TEMPLATES['mysql-alternating-users'].alternating, true);
  const a = await templateZip('postgresql-single-user');
  assert.equal(a.handler, 'index.handler');
  assert.equal(a.runtime, 'nodejs20.x');
  assert.deepEqual(a.environment, { EXCLUDE_CHARACTERS: ':/@"\'\\', PASSWORD_LENGTH: '32' });
  const files = unzipSync(a.zip);
  assert.deepEqual(Object.keys(files), ['index.mjs']);
  const code = Buffer.from(files['index.mjs']!).toString();
  assert.match(code, /export\s*\{[^}]*as handler/);
  assert.equal((await templateZip('postgresql-single-user')).zip, a.zip, 'cached');
});
