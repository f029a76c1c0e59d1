import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type ServiceModel } from './model.ts';
import { parseForm, readQueryInput } from './query-input.ts';

const iam = loadModel('iam-2010-05-08');

test('CreateUser as the CLI sends it folds the member list back into Tags', () => {
  const form = parseForm('Action=CreateUser&Version=2010-05-08&UserName=alice&Tags.member.1.Key=team&Tags.member.1.Value=a&Tags.member.2.Key=env&Tags.member.2.Value=prod');
  assert.deepEqual(readQueryInput(iam, 'CreateUserRequest', form), {
    UserName: 'alice',
    Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'prod' }],
  });
});

test('form decoding: percent-escapes, + as space, and a policy document as URL-encoded JSON', () => {
  const doc = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}';
  const form = parseForm(`RoleName=a+b&AssumeRolePolicyDocument=${encodeURIComponent(doc)}`);
  assert.deepEqual(readQueryInput(iam, 'CreateRoleRequest', form), { RoleName: 'a b', AssumeRolePolicyDocument: doc });
});

test('an empty list arrives as the bare name with an empty value', () => {
  const form = parseForm('UserName=alice&Tags=');
  assert.deepEqual(readQueryInput(iam, 'CreateUserRequest', form), { UserName: 'alice', Tags: [] });
});

test('scalars take their shape\'s type; members the shape does not name are ignored', () => {
  const form = parseForm('MinimumPasswordLength=12&RequireSymbols=true&RequireNumbers=false&Bogus=1');
  assert.deepEqual(readQueryInput(iam, 'UpdateAccountPasswordPolicyRequest', form), {
    MinimumPasswordLength: 12, RequireSymbols: true, RequireNumbers: false,
  });
});

test('text that is not its shape\'s type is a ValidationError naming the member', () => {
  assert.throws(() => readQueryInput(iam, 'ListUsersRequest', parseForm('MaxItems=ten')), (err: any) => {
    assert.equal(err.code, 'ValidationError');
    assert.equal(err.status, 400);
    assert.match(err.message, /Value 'ten' at 'maxItems'/);
    return true;
  });
  assert.throws(() => readQueryInput(iam, 'UpdateAccountPasswordPolicyRequest', parseForm('RequireSymbols=yes')), /at 'requireSymbols'/);
});

test('a name given twice keeps its first value', () => {
  assert.equal(parseForm('UserName=a&UserName=b').get('UserName'), 'a');
});

// The vendored models use neither maps in input nor flattened lists; the protocol has both.
const synthetic = {
  metadata: { apiVersion: '2000-01-01', endpointPrefix: 'x', protocol: 'query' },
  operations: {},
  shapes: {
    In: { type: 'structure', members: { Attrs: { shape: 'AttrMap' }, Ids: { shape: 'FlatIds' }, Named: { shape: 'NamedIds', locationName: 'Name' } } },
    AttrMap: { type: 'map', key: { shape: 'S' }, value: { shape: 'I' } },
    FlatIds: { type: 'list', member: { shape: 'S' }, flattened: true },
    NamedIds: { type: 'list', member: { shape: 'S', locationName: 'item' } },
    S: { type: 'string' },
    I: { type: 'integer' },
  },
} as unknown as ServiceModel;

test('maps from .entry.N.key/value, flattened lists from .N, locationNames honoured', () => {
  const form = parseForm('Attrs.entry.1.key=a&Attrs.entry.1.value=1&Attrs.entry.2.key=b&Attrs.entry.2.value=2&Ids.1=x&Ids.2=y&Name.item.1=n');
  assert.deepEqual(readQueryInput(synthetic, 'In', form), { Attrs: { a: 1, b: 2 }, Ids: ['x', 'y'], Named: ['n'] });
});

test('an operation without an input shape reads as {}', () => {
  assert.deepEqual(readQueryInput(iam, undefined, parseForm('Action=GetAccountSummary')), {});
});
