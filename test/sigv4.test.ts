/**
 * SigV4 as AWS checks it, through hand-signed requests (AWS's own signer, tampered afterwards)
 * and the real SDK: every rejection carries AWS's code, status and text, and changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { signedRequest } from './helpers/raw.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { allSecretNames, assertAwsError, assertHealthy, presign, sendRaw, sign } from './helpers/wire.ts';

const MISMATCH = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const CREATE = 'secretsmanager.CreateSecret';

function createBody(name: string): string {
  return JSON.stringify({ Name: name, SecretString: 'v', ClientRequestToken: crypto.randomUUID() });
}

describe('SigV4', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  let baseline: string[];

  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
    await sm.send(new CreateSecretCommand({ Name: 'sigv4/existing', SecretString: 'x' }));
    baseline = await allSecretNames(sm);
  });
  after(() => server.destroy());

  /** After a rejected request nothing was created and the server still answers. */
  async function unchanged(): Promise<void> {
    assert.deepEqual(await allSecretNames(sm), baseline);
    await assertHealthy(server);
  }

  test('a correctly signed request is accepted', async () => {
    const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}' });
    assert.equal(res.status, 200, res.body);
    assert.ok(Array.isArray(res.json.SecretList));
  });

  test('no Authorization header: 400 MissingAuthenticationTokenException', async () => {
    const res = await signedRequest(server, { target: CREATE, body: createBody('sigv4/unsigned'), credentials: null });
    assertAwsError(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    await unchanged();
  });

  test('Authorization missing Credential, SignedHeaders and Signature: IncompleteSignatureException naming each', async () => {
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/incomplete') });
    const full = r.headers.authorization!;
    const credential = /Credential=[^,]+/.exec(full)![0];
    const signedHeaders = /SignedHeaders=[^,]+/.exec(full)![0];
    const signature = /Signature=\S+/.exec(full)![0];

    r.headers.authorization = `AWS4-HMAC-SHA256 ${credential}`;
    let res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException',
      `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 ${credential}`);

    r.headers.authorization = `AWS4-HMAC-SHA256 ${signedHeaders}, ${signature}`;
    res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException', /^Authorization header requires 'Credential' parameter\. Authorization=/);

    r.headers.authorization = 'Bearer';
    res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer");
    await unchanged();
  });

  test('an Authorization part without "=" and a missing X-Amz-Date are IncompleteSignatureException', async () => {
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/no-equals') });
    const original = r.headers.authorization!;
    r.headers.authorization = original.replace('Credential=', 'Credential ');
    let res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException', /^'Credential .*' not a valid key=value pair \(missing equal-sign\) in Authorization header: 'AWS4-HMAC-SHA256 /);

    r.headers.authorization = original;
    delete r.headers['x-amz-date'];
    res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException', /Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./);
    await unchanged();
  });

  test('a wrong algorithm and a malformed credential scope are IncompleteSignatureException', async () => {
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/algorithm') });
    const original = r.headers.authorization!;
    r.headers.authorization = original.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512');
    let res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException', "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");

    r.headers.authorization = original.replace(/Credential=(\w+)\/(\d+)\/[^,]+,/, 'Credential=$1/$2/us-east-1,');
    res = await sendRaw(server, r);
    assertAwsError(res, 400, 'IncompleteSignatureException', /Credential must have exactly 5 slash-delimited elements, e\.g\. keyid\/date\/region\/service\/term, got '/);
    await unchanged();
  });

  test('an unknown access key: 400 UnrecognizedClientException, over the wire and in the SDK', async () => {
    const stranger = { accessKeyId: 'AKIAUNKNOWNKEY000001', secretAccessKey: 'not-a-real-secret-key-000000000000000000' };
    const res = await signedRequest(server, { target: CREATE, body: createBody('sigv4/stranger'), credentials: stranger });
    assertAwsError(res, 400, 'UnrecognizedClientException', INVALID_TOKEN);

    const err = await rejectsWith(secretsManager(server, { credentials: stranger }).send(new ListSecretsCommand({})), 'UnrecognizedClientException', INVALID_TOKEN);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await unchanged();
  });

  test('a wrong secret key: InvalidSignatureException with the canonical request and string to sign', async () => {
    const wrong = { accessKeyId: server.root.accessKeyId, secretAccessKey: `${server.root.secretAccessKey}x` };
    const res = await signedRequest(server, { target: CREATE, body: createBody('sigv4/wrong-secret'), credentials: wrong });
    assertAwsError(res, 400, 'InvalidSignatureException');
    const message: string = res.json.Message;
    assert.ok(message.startsWith(`${MISMATCH}\n\nThe Canonical String for this request should have been\n'POST\n/\n\n`), message);
    assert.match(message, /\ncontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target\n[0-9a-f]{64}'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/secretsmanager\/aws4_request\n[0-9a-f]{64}'\n$/);
    assert.ok(!message.includes(server.root.secretAccessKey), 'the secret key never appears');

    const err = await rejectsWith(secretsManager(server, { credentials: wrong }).send(new GetSecretValueCommand({ SecretId: 'sigv4/existing' })), 'InvalidSignatureException');
    assert.ok(err.message.startsWith(MISMATCH));
    assert.equal(err.$metadata?.httpStatusCode, 400);
    await unchanged();
  });

  test('a body changed after signing is rejected and creates nothing', async () => {
    // Signed as the CLI signs: no x-amz-content-sha256, so only the signature covers the body.
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/signed-name'), contentSha256: false });
    assert.equal(r.headers['x-amz-content-sha256'], undefined);
    const res = await sendRaw(server, r, { body: createBody('sigv4/tampered-name') });
    assertAwsError(res, 400, 'InvalidSignatureException', /^The request signature we calculated does not match/);
    await unchanged();
  });

  test('a signed header changed after signing is rejected', async () => {
    const r = await sign(server, { target: 'secretsmanager.ListSecrets', body: '{}' });
    r.headers['x-amz-target'] = 'secretsmanager.GetRandomPassword';
    const res = await sendRaw(server, r);
    assertAwsError(res, 400, 'InvalidSignatureException', /^The request signature we calculated does not match/);
  });

  test('an x-amz-content-sha256 that does not describe the body is rejected', async () => {
    const signedBody = createBody('sigv4/sha-signed');
    const r = await sign(server, {
      target: CREATE, body: signedBody,
      headers: { 'x-amz-content-sha256': createHash('sha256').update(signedBody).digest('hex') },
    });
    const res = await sendRaw(server, r, { body: createBody('sigv4/sha-sent') });
    assertAwsError(res, 400, 'InvalidSignatureException', /x-amz-content-sha256/);
    await unchanged();
  });

  test('a signature more than 15 minutes old has expired; one from the future is not yet current', async () => {
    const old = await signedRequest(server, { target: CREATE, body: createBody('sigv4/old'), signingDate: new Date(Date.now() - 16 * 60_000) });
    assertAwsError(old, 400, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    const future = await signedRequest(server, { target: CREATE, body: createBody('sigv4/future'), signingDate: new Date(Date.now() + 16 * 60_000) });
    assertAwsError(future, 400, 'InvalidSignatureException', /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
    await unchanged();
  });

  test('a clock off by ten minutes either way is within the window', async () => {
    for (const [label, offset] of [['behind', -10], ['ahead', 10]] as const) {
      const res = await signedRequest(server, { target: 'secretsmanager.ListSecrets', body: '{}', signingDate: new Date(Date.now() + offset * 60_000) });
      assert.equal(res.status, 200, `${label}: ${res.body}`);
    }
  });

  test('a request signed for another service is rejected', async () => {
    const res = await signedRequest(server, { target: CREATE, body: createBody('sigv4/kms'), service: 'kms' });
    assertAwsError(res, 400, 'InvalidSignatureException', "Credential should be scoped to correct service: 'secretsmanager'. ");
    await unchanged();
  });

  test('a signature that does not cover Host is rejected', async () => {
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/no-host'), unsigned: ['host'] });
    assert.doesNotMatch(r.headers.authorization!, /SignedHeaders=[^,]*\bhost\b/);
    const res = await sendRaw(server, r);
    assertAwsError(res, 400, 'InvalidSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    await unchanged();
  });

  test('a session token sent with a long-term key is rejected', async () => {
    const withToken = { ...server.root, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
    const r = await sign(server, { target: CREATE, body: createBody('sigv4/token'), credentials: withToken });
    assert.match(r.headers.authorization!, /x-amz-security-token/);
    const res = await sendRaw(server, r);
    assertAwsError(res, 400, 'UnrecognizedClientException', INVALID_TOKEN);

    const client = new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: withToken, maxAttempts: 1 });
    await rejectsWith(client.send(new ListSecretsCommand({})), 'UnrecognizedClientException', INVALID_TOKEN);
    await unchanged();
  });

  test('a presigned request (signature in the query string) is verified', async () => {
    const r = await presign(server, { target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'sigv4/existing' }), expiresIn: 300 });
    assert.equal(r.headers.authorization, undefined);
    assert.equal(r.query['X-Amz-Algorithm'], 'AWS4-HMAC-SHA256');
    const res = await sendRaw(server, r);
    assert.equal(res.status, 200, res.body);
    assert.equal(res.json.SecretString, 'x');

    const tampered = await presign(server, { target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'sigv4/existing' }), expiresIn: 300 });
    tampered.query['X-Amz-Expires'] = '301';
    assertAwsError(await sendRaw(server, tampered), 400, 'InvalidSignatureException', /^The request signature we calculated does not match/);
  });

  test('an expired presigned request is rejected', async () => {
    const r = await presign(server, {
      target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'sigv4/existing' }),
      expiresIn: 60, signingDate: new Date(Date.now() - 3 * 60_000),
    });
    const res = await sendRaw(server, r);
    assertAwsError(res, 400, 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z\.$/);
  });

  test('a request signed for an unserved region is rejected', async () => {
    const res = await signedRequest(server, { target: CREATE, body: createBody('sigv4/region'), region: 'moon-1' });
    assertAwsError(res, 400, 'InvalidSignatureException', 'Credential should be scoped to a valid region. ');
    await unchanged();
  });
});
