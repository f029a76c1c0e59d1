/**
 * STS on the awsQuery protocol, through the real JS SDK, Debian's AWS CLI and hand-signed
 * form requests: GetCallerIdentity for the account root, and the XML errors (bad signature,
 * unknown key, unsigned, unknown Action, a query service coffer does not serve) that the clients
 * turn into the right error names.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { awsCli } from './helpers/clients.ts';
import { signedRequest, type RawResponse } from './helpers/raw.ts';

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const MISMATCH = 'The request signature we calculated does not match the signature you provided.';

function sts(server: TestServer, credentials?: Credentials): STSClient {
  return new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: credentials ?? server.root, maxAttempts: 1 });
}

function query(server: TestServer, body: string, opts: { service?: string; region?: string; credentials?: Credentials | null } = {}): Promise<RawResponse> {
  return signedRequest(server, { body, service: opts.service ?? 'sts', region: opts.region, credentials: opts.credentials, headers: { 'content-type': FORM } });
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

/** An XML error response with AWS's status, fault side, code and request id (header = body). */
function assertQueryError(res: RawResponse, status: number, code: string, message?: RegExp): void {
  assert.equal(res.status, status, res.body);
  assert.match(String(res.headers['content-type']), /^text\/xml/);
  assert.match(res.body, /^<ErrorResponse[ >]/);
  assert.equal(tag(res.body, 'Type'), status >= 500 ? 'Receiver' : 'Sender');
  assert.equal(tag(res.body, 'Code'), code);
  if (message) assert.match(tag(res.body, 'Message') ?? '', message);
  assert.ok(res.headers['x-amzn-requestid']);
  assert.equal(tag(res.body, 'RequestId'), res.headers['x-amzn-requestid']);
}

describe('STS GetCallerIdentity', () => {
  let server: TestServer;
  let rootArn: string;

  before(async () => {
    server = await startServer();
    rootArn = `arn:aws:iam::${server.accountId}:root`;
  });
  after(() => server.destroy());

  test('the JS SDK gets the account root identity', async () => {
    const out = await sts(server).send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, server.accountId);
    assert.equal(out.Arn, rootArn);
    assert.equal(out.UserId, server.accountId);
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.ok(out.$metadata.requestId);
  });

  test('the AWS CLI gets the account root identity', async () => {
    const res = await awsCli(server, ['sts', 'get-caller-identity']);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.json, { UserId: server.accountId, Account: server.accountId, Arn: rootArn });
  });

  test('the XML answer: namespace, result wrapper, text/xml, x-amzn-RequestId equal to the body\'s RequestId', async () => {
    const res = await query(server, 'Action=GetCallerIdentity&Version=2011-06-15');
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/xml/);
    assert.ok(res.body.startsWith(`<GetCallerIdentityResponse xmlns="${STS_NS}"><GetCallerIdentityResult>`), res.body);
    assert.equal(tag(res.body, 'Account'), server.accountId);
    assert.equal(tag(res.body, 'RequestId'), res.headers['x-amzn-requestid']);
  });

  test('a wrong secret key: 403 SignatureDoesNotMatch, which the SDK and the CLI name', async () => {
    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: 'not-the-secret-key-000000000000000000000' };
    await assert.rejects(sts(server, wrong).send(new GetCallerIdentityCommand({})), (err: any) => {
      assert.equal(err.name, 'SignatureDoesNotMatch');
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.$fault, 'client');
      assert.ok(err.message.startsWith(MISMATCH), err.message);
      return true;
    });
    const cli = await awsCli(server, ['sts', 'get-caller-identity'], { credentials: wrong });
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated/);
    const raw = await query(server, 'Action=GetCallerIdentity&Version=2011-06-15', { credentials: wrong });
    assertQueryError(raw, 403, 'SignatureDoesNotMatch', /^The request signature we calculated does not match/);
  });

  test('an unknown access key: 403 InvalidClientTokenId', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'whatever-secret-key-00000000000000000000' };
    await assert.rejects(sts(server, unknown).send(new GetCallerIdentityCommand({})), (err: any) => {
      assert.equal(err.name, 'InvalidClientTokenId');
      assert.equal(err.$metadata.httpStatusCode, 403);
      assert.equal(err.message, 'The security token included in the request is invalid.');
      return true;
    });
  });

  test('a scope with an invalid region: 403 SignatureDoesNotMatch naming the region, as the query services word it', async () => {
    const res = await query(server, 'Action=GetCallerIdentity&Version=2011-06-15', { region: 'nowhere' });
    assertQueryError(res, 403, 'SignatureDoesNotMatch', /^Credential should be scoped to a valid region, not 'nowhere'\. $/);
  });

  test('an unsigned request: 403 MissingAuthenticationToken', async () => {
    const res = await query(server, 'Action=GetCallerIdentity&Version=2011-06-15', { credentials: null });
    assertQueryError(res, 403, 'MissingAuthenticationToken', /^Request is missing Authentication Token$/);
  });

  test('an unknown Action, or a known one with another Version: 400 InvalidAction', async () => {
    assertQueryError(await query(server, 'Action=GetCallerIdentityy&Version=2011-06-15'), 400, 'InvalidAction',
      /^Could not find operation GetCallerIdentityy for version 2011-06-15$/);
    assertQueryError(await query(server, 'Action=GetCallerIdentity&Version=2010-05-08'), 400, 'InvalidAction',
      /^Could not find operation GetCallerIdentity for version 2010-05-08$/);
    const res = await query(server, 'Action=Nope&Version=2011-06-15');
    assert.match(res.body, new RegExp(`^<ErrorResponse xmlns="${STS_NS}">`));
  });

  test('no Action at all: 400 MissingAction', async () => {
    assertQueryError(await query(server, 'Version=2011-06-15'), 400, 'MissingAction');
  });

  test('a query request for a service coffer does not serve (sqs) is an AWS error, not a 500', async () => {
    const body = 'Action=ListQueues&Version=2012-11-05&QueueNamePrefix=a';
    assertQueryError(await query(server, body, { service: 'sqs' }), 400, 'InvalidAction',
      /^Could not find operation ListQueues for version 2012-11-05$/);
    // Its signature is still checked first.
    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: 'not-the-secret-key-000000000000000000000' };
    assertQueryError(await query(server, body, { service: 'sqs', credentials: wrong }), 403, 'SignatureDoesNotMatch');
  });

  test('a form POST with an X-Amz-Target is still a JSON request', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', headers: { 'content-type': FORM } });
    assert.equal(res.status, 200, res.body);
    assert.ok(Array.isArray(res.json?.SecretList), res.body);
  });
});
