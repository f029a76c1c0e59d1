import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.ts';
import { bindInput, buildRoutes, matchRoute, restJsonError, serializeOutput } from './rest-json.ts';
import { AwsError } from '../errors.ts';

const model = loadModel('lambda-2015-03-31');
const routes = buildRoutes(model, ['ListFunctions', 'GetFunction', 'GetFunctionConfiguration', 'Invoke', 'ListTags', 'RemovePermission', 'UntagResource']);

test('routes by method and path, decoding labels; a trailing slash is the same path', () => {
  assert.equal(matchRoute(routes, 'GET', '/2015-03-31/functions/')?.operation, 'ListFunctions');
  assert.equal(matchRoute(routes, 'GET', '/2015-03-31/functions')?.operation, 'ListFunctions');
  assert.deepEqual(matchRoute(routes, 'GET', '/2015-03-31/functions/f1')?.labels, { FunctionName: 'f1' });
  assert.equal(matchRoute(routes, 'GET', '/2015-03-31/functions/f1/configuration')?.operation, 'GetFunctionConfiguration');
  assert.equal(matchRoute(routes, 'POST', '/2015-03-31/functions/f1/invocations?Qualifier=%24LATEST')?.query.get('Qualifier'), '$LATEST');
  const tags = matchRoute(routes, 'GET', '/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af1');
  assert.deepEqual(tags?.labels, { Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f1' });
  assert.deepEqual(matchRoute(routes, 'DELETE', '/2015-03-31/functions/f1/policy/sid1')?.labels, { FunctionName: 'f1', StatementId: 'sid1' });
  assert.equal(matchRoute(routes, 'PUT', '/2015-03-31/functions/f1'), undefined);
  assert.equal(matchRoute(routes, 'GET', '/2015-03-31/functions/f1/unknown'), undefined);
});

test('binds query (typed, repeated), headers and a raw blob payload', () => {
  const list = matchRoute(routes, 'GET', '/2015-03-31/functions/?MaxItems=5&Marker=abc')!;
  assert.deepEqual(bindInput(model, 'ListFunctions', { labels: list.labels, query: list.query, headers: {}, body: Buffer.alloc(0) }).input, { MaxItems: 5, Marker: 'abc' });
  const untag = matchRoute(routes, 'DELETE', '/2017-03-31/tags/arn?tagKeys=a&tagKeys=b')!;
  assert.deepEqual(bindInput(model, 'UntagResource', { labels: untag.labels, query: untag.query, headers: {}, body: Buffer.alloc(0) }).input, { Resource: 'arn', TagKeys: ['a', 'b'] });
  const inv = matchRoute(routes, 'POST', '/2015-03-31/functions/f1/invocations')!;
  const bound = bindInput(model, 'Invoke', { labels: inv.labels, query: inv.query, headers: { 'x-amz-invocation-type': 'Event', 'x-amz-log-type': 'Tail' }, body: Buffer.from('{"a":1}') });
  assert.deepEqual(bound.input, { FunctionName: 'f1', InvocationType: 'Event', LogType: 'Tail' });
  assert.equal(bound.payload?.member, 'Payload');
  assert.equal(bound.payload?.bytes.toString(), '{"a":1}');
  assert.throws(() => bindInput(model, 'ListFunctions', { labels: {}, query: new URLSearchParams('MaxItems=x'), headers: {}, body: Buffer.alloc(0) }), { name: 'SerializationException' });
});

test('serializes headers, status and a raw payload; errors carry x-amzn-errortype and the model\'s message member', () => {
  const out = serializeOutput(model, 'Invoke', { StatusCode: 200, FunctionError: 'Unhandled', ExecutedVersion: '$LATEST', Payload: Buffer.from('{"x":1}') }, 'rid');
  assert.equal(out.status, 200);
  assert.equal(out.headers['x-amz-function-error'], 'Unhandled');
  assert.equal(out.headers['x-amz-executed-version'], '$LATEST');
  assert.equal(out.body.toString(), '{"x":1}');
  assert.equal(serializeOutput(model, 'Invoke', { StatusCode: 202 }, 'rid').body, '');
  const notFound = restJsonError(model, new AwsError('ResourceNotFoundException', 'Function not found: x', 404), 'rid');
  assert.equal(notFound.status, 404);
  assert.equal(notFound.headers['x-amzn-errortype'], 'ResourceNotFoundException');
  assert.deepEqual(JSON.parse(notFound.body as string), { Type: 'User', Message: 'Function not found: x' });
  assert.deepEqual(JSON.parse(restJsonError(model, new AwsError('InvalidParameterValueException', 'bad'), 'rid').body as string), { Type: 'User', message: 'bad' });
  assert.deepEqual(JSON.parse(restJsonError(model, new AwsError('ValidationException', 'v'), 'rid').body as string), { message: 'v' });
  assert.equal(restJsonError(model, new AwsError('UnrecognizedClientException', 'u', 400), 'rid').status, 403);
});
