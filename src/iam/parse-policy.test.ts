import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, validatePolicy } from './parse-policy.ts';
import { PolicyValidationError } from './findings.ts';
import { compilePolicyCached, PolicyCache } from './policy-cache.ts';
import { AwsError } from '../errors.ts';
import type { PolicyKind } from './policy-types.ts';

const doc = (statement: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statement });
const allow = { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' };

function rejects(text: string, kind: PolicyKind, message: string | RegExp, check?: string) {
  assert.throws(
    () => parsePolicy(text, { kind }),
    (e: unknown) => {
      assert.ok(e instanceof AwsError);
      assert.ok(e instanceof PolicyValidationError);
      assert.equal(e.code, 'MalformedPolicyDocument');
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      if (check !== undefined) assert.equal(e.finding.check, check);
      return true;
    },
  );
}

test('a minimal identity policy compiles', () => {
  const p = parsePolicy(doc(allow), { kind: 'identity' });
  assert.equal(p.statements.length, 1);
  assert.equal(p.version, '2012-10-17');
  assert.deepEqual(p.findings, []);
});

test('Statement may be an object or an array; strings or arrays everywhere', () => {
  assert.equal(parsePolicy(doc([allow, { ...allow, Action: ['a:b', 'c:d'], Resource: ['*'] }]), { kind: 'identity' }).statements.length, 2);
});

test('AWS messages for common errors', () => {
  rejects('{not json', 'identity', 'Syntax errors in policy.', 'JSON_SYNTAX');
  rejects(doc({ ...allow, Principal: '*' }), 'identity', 'Policy document should not specify a principal.');
  rejects(doc(allow), 'resource', 'Missing required field Principal');
  rejects(doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' }), 'trust', 'Has prohibited field Resource');
  rejects(doc({ ...allow, Sid: 'a', Effect: 'allow' }), 'identity', /Invalid effect/);
  rejects(doc({ Effect: 'Allow', Resource: '*' }), 'identity', 'Missing required field Action');
  rejects(doc({ Effect: 'Allow', Action: 'x:y' }), 'identity', 'Missing required field Resource');
  rejects(doc({ ...allow, Action: 'GetSecretValue' }), 'identity', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  rejects(doc({ ...allow, Resource: 'SecretARN' }), 'identity', 'Resource SecretARN must be in ARN format or "*".');
  rejects(doc({ ...allow, Resource: 'arn:aws:secrets*:us-east-1:1:secret:x' }), 'identity', 'Resource vendor must be fully qualified and cannot contain regexes.');
  rejects(doc([{ ...allow, Sid: 'A' }, { ...allow, Sid: 'A' }]), 'identity', 'Statement IDs (SID) in a single policy must be unique.');
  rejects(doc({ ...allow, Sid: 'has-dash' }), 'identity', /alpha-numeric/);
  rejects(JSON.stringify({ Version: '2012-10-18', Statement: allow }), 'identity', 'The policy failed legacy parsing');
  rejects(JSON.stringify({ Policy: { Version: '2012-10-17', Statement: allow } }), 'identity', 'Syntax errors in policy.', 'UNKNOWN_ELEMENT');
  rejects(doc({ ...allow, Condition: { StringEqualz: { 'aws:username': 'a' } } }), 'identity', /Invalid Condition type/);
  rejects(doc({ ...allow, Principal: { AWS: 'arn:aws:iam::*:root' } }), 'resource', 'Invalid principal in policy: "AWS":"arn:aws:iam::*:root"');
});

test('messages without an AWS text point at the element', () => {
  rejects(doc([allow, { ...allow, Condition: { NumericLessThan: { 's:n': 'ten' } } }]), 'identity', /^Statement\[1\]\.Condition\.NumericLessThan\["s:n"\]: /);
});

test('errorCode lets services re-map the code', () => {
  assert.throws(() => parsePolicy('[]', { kind: 'resource', errorCode: 'MalformedPolicyDocumentException' }), (e: unknown) => e instanceof AwsError && e.code === 'MalformedPolicyDocumentException');
});

test('lenient parsing keeps going and records findings', () => {
  const p = parsePolicy(doc([{ ...allow, Resource: 'SecretARN' }, allow]), { kind: 'identity', strict: false });
  assert.equal(p.statements.length, 2);
  assert.equal(p.findings[0].check, 'RESOURCE_FORMAT');
  const wrapped = parsePolicy(JSON.stringify({ Policy: { Statement: allow } }), { kind: 'identity', strict: false });
  assert.equal(wrapped.statements.length, 0);
});

test('principal forms', () => {
  const p = parsePolicy(
    doc({
      ...allow,
      Principal: {
        AWS: ['111122223333', 'arn:aws:iam::444455556666:root', 'arn:aws:iam::111122223333:user/path/alice', 'arn:aws:iam::111122223333:role/r', 'arn:aws:sts::111122223333:assumed-role/r/s', 'arn:aws:sts::111122223333:federated-user/f'],
        Service: 'secretsmanager.amazonaws.com',
        Federated: 'cognito-identity.amazonaws.com',
        CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
      },
    }),
    { kind: 'resource' },
  );
  const principal = p.statements[0].principal;
  assert.ok(principal);
  assert.deepEqual([...principal.accounts], ['111122223333', '444455556666']);
  assert.equal(principal.arns.size, 4);
  assert.equal(parsePolicy(doc({ ...allow, Principal: { AWS: '*' } }), { kind: 'resource' }).statements[0].principal?.any, true);
});

test('warnings: missing Version, undefined action, secret ARN without suffix, empty region', () => {
  const checks = (text: string, kind: PolicyKind = 'identity') => validatePolicy(text, kind).map((f) => f.check);
  assert.deepEqual(checks(JSON.stringify({ Statement: allow })), ['MISSING_VERSION']);
  assert.deepEqual(checks(doc({ ...allow, Action: 'secretsmanager:GetSecret' })), ['UNDEFINED_ACTION']);
  assert.deepEqual(checks(doc({ ...allow, Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:MyDatabaseMasterSecret' })), ['SECRET_ARN_WITHOUT_SUFFIX']);
  assert.deepEqual(checks(doc({ ...allow, Resource: 'arn:aws:secretsmanager:::secret:x-??????' })), ['SECRET_ARN_EMPTY_FIELD']);
  assert.deepEqual(checks(doc({ ...allow, Principal: { Service: 'secretsmanager.amazonaws.com' } }), 'resource'), ['SERVICE_PRINCIPAL_WITHOUT_SOURCE']);
  assert.deepEqual(checks(JSON.stringify({ Version: '2008-10-17', Statement: { ...allow, Resource: 'arn:aws:s3:::b/${aws:username}' } })), ['VARIABLE_IN_OLD_VERSION']);
});

test('validatePolicy never throws', () => {
  assert.equal(validatePolicy('nope', 'identity')[0].check, 'JSON_SYNTAX');
});

test('compilePolicyCached returns the same compilation and is bounded', () => {
  const text = doc(allow);
  assert.equal(compilePolicyCached(text, 'identity'), compilePolicyCached(text, 'identity'));
  const cache = new PolicyCache(2);
  const a = cache.get(doc({ ...allow, Sid: 'A' }), 'identity');
  cache.get(doc({ ...allow, Sid: 'B' }), 'identity');
  cache.get(doc({ ...allow, Sid: 'A' }), 'identity'); // A becomes most recent
  cache.get(doc({ ...allow, Sid: 'C' }), 'identity'); // evicts B
  assert.equal(cache.size, 2);
  assert.equal(cache.get(doc({ ...allow, Sid: 'A' }), 'identity'), a);
  assert.equal(cache.misses, 3);
  assert.throws(() => cache.get('{', 'identity'));
});
