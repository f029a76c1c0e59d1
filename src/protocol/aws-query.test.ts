import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors.ts';
import { rootPrincipal } from '../auth/principal.ts';
import type { RequestContext } from '../auth/request-context.ts';
import { loadModel } from './model.ts';
import { operation } from './operation.ts';
import { parseForm } from './query-input.ts';
import { findQueryOperation, invokeQuery, isFormContentType, queryError, queryResponse, toQueryError, xmlNamespace, type QueryService } from './aws-query.ts';

const sts: QueryService = {
  signingName: 'sts',
  model: loadModel('sts-2011-06-15'),
  operations: {
    GetCallerIdentity: operation({
      plan: async () => ({ authorization: [], state: undefined }),
      run: async () => ({ UserId: '111122223333', Account: '111122223333', Arn: 'arn:aws:iam::111122223333:root' }),
    }),
    AssumeRole: operation({
      plan: async () => ({ authorization: { action: 'sts:AssumeRole', resource: 'arn:aws:iam::111122223333:role/r' }, state: undefined }),
      run: async () => ({}),
    }),
  },
};

function context(): RequestContext {
  return {
    requestId: 'req-1', service: 'sts', operation: 'x', region: 'us-east-1',
    principal: rootPrincipal('111122223333', 'AKIAEXAMPLE'), sourceIp: '127.0.0.1', secureTransport: false,
    userAgent: '', requestTime: new Date(), isAllowed: async () => true, decide: async () => ({ allowed: true }),
  };
}

test('form content types with and without charset', () => {
  assert.ok(isFormContentType('application/x-www-form-urlencoded; charset=utf-8'));
  assert.ok(isFormContentType('application/x-www-form-urlencoded'));
  assert.ok(!isFormContentType('application/x-amz-json-1.1'));
  assert.ok(!isFormContentType(undefined));
});

test('the namespace comes from the model', () => {
  assert.equal(xmlNamespace(sts.model), 'https://sts.amazonaws.com/doc/2011-06-15/');
});

test('a response wraps the result and carries the request id', async () => {
  const form = parseForm('Action=GetCallerIdentity&Version=2011-06-15');
  const { name, op } = findQueryOperation(sts, form);
  const wire = await invokeQuery(sts, name, op, form, context(), () => ({ allowed: true }));
  assert.equal(wire.status, 200);
  assert.equal(wire.headers['content-type'], 'text/xml');
  assert.equal(wire.headers['x-amzn-requestid'], 'req-1');
  assert.equal(wire.body,
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
    + '<UserId>111122223333</UserId><Account>111122223333</Account><Arn>arn:aws:iam::111122223333:root</Arn>'
    + '</GetCallerIdentityResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>');
});

test('an operation without output sends only the metadata', () => {
  const iam: QueryService = { signingName: 'iam', model: loadModel('iam-2010-05-08'), operations: {} };
  assert.equal(queryResponse(iam, 'DeleteUser', {}, 'r').body,
    '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>');
});

test('a missing, unknown or wrongly versioned Action is refused', () => {
  assert.throws(() => findQueryOperation(sts, parseForm('Version=2011-06-15')), { code: 'MissingAction', status: 400 });
  assert.throws(() => findQueryOperation(sts, parseForm('Action=Nope&Version=2011-06-15')),
    { code: 'InvalidAction', status: 400, message: 'Could not find operation Nope for version 2011-06-15' });
  assert.throws(() => findQueryOperation(sts, parseForm('Action=GetCallerIdentity&Version=2010-05-08')),
    { code: 'InvalidAction', message: 'Could not find operation GetCallerIdentity for version 2010-05-08' });
  // In the model but not served here.
  assert.throws(() => findQueryOperation(sts, parseForm('Action=GetSessionToken&Version=2011-06-15')), { code: 'InvalidAction' });
});

test('input is validated against the model and reported as ValidationError', async () => {
  const form = parseForm('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=sess&DurationSeconds=1');
  const { name, op } = findQueryOperation(sts, form);
  await assert.rejects(invokeQuery(sts, name, op, form, context(), () => ({ allowed: true })), (err: AwsError) => {
    const q = toQueryError(err);
    assert.equal(q.code, 'ValidationError');
    assert.match(q.message, /^1 validation error detected: Value '1' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900$/);
    return true;
  });
});

test('a denied call is AccessDenied (403) on the query protocol', async () => {
  const form = parseForm('Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=sess');
  const { name, op } = findQueryOperation(sts, form);
  await assert.rejects(invokeQuery(sts, name, op, form, context(), () => ({ allowed: false })), (err: AwsError) => {
    const q = toQueryError(err);
    assert.equal(q.code, 'AccessDenied');
    assert.equal(q.status, 403);
    assert.match(q.message, /is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role\/r/);
    return true;
  });
});

test('the JSON services\' auth codes become the query services\' codes and statuses', () => {
  const cases: [AwsError, string, number][] = [
    [new AwsError('InvalidSignatureException', 'The request signature we calculated does not match'), 'SignatureDoesNotMatch', 403],
    [new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.'), 'InvalidClientTokenId', 403],
    [new AwsError('IncompleteSignatureException', 'x'), 'IncompleteSignature', 400],
    [new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token'), 'MissingAuthenticationToken', 403],
    [new AwsError('InternalServiceError', 'An error occurred on the server side.', 500), 'InternalFailure', 500],
    [new AwsError('NoSuchEntity', 'The user with name bob cannot be found.', 404), 'NoSuchEntity', 404],
  ];
  for (const [err, code, status] of cases) {
    const q = toQueryError(err);
    assert.deepEqual([q.code, q.status], [code, status], err.code);
  }
  assert.equal(toQueryError(new AwsError('InvalidSignatureException', 'Credential should be scoped to a valid region. '), 'mars-east-1').message,
    "Credential should be scoped to a valid region, not 'mars-east-1'. ");
});

test('an error response names the fault side, code, message and request id', () => {
  const sender = queryError(new AwsError('InvalidAction', 'Could not find operation X for version 1 & <2>'), 'req-9', 'https://sts.amazonaws.com/doc/2011-06-15/');
  assert.equal(sender.status, 400);
  assert.equal(sender.headers['x-amzn-requestid'], 'req-9');
  assert.equal(sender.body,
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code>'
    + '<Message>Could not find operation X for version 1 &amp; &lt;2&gt;</Message></Error><RequestId>req-9</RequestId></ErrorResponse>');
  const receiver = queryError(new AwsError('InternalFailure', 'oops', 500), 'r');
  assert.match(receiver.body, /^<ErrorResponse><Error><Type>Receiver<\/Type>/);
});
