// e2e: sqlite only — TLS is the transport, the same whichever engine stores the data.
/**
 * HTTPS: `--tls self-signed` (a development CA kept in the data dir, printed for AWS_CA_BUNDLE),
 * `--tls-cert`/`--tls-key`, `aws:SecureTransport` following the connection, and rotation
 * functions (Node.js and Python) calling back over HTTPS trusting the CA.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:https';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Credentials, TestServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { runCoffer } from './helpers/process.ts';
import { fileCleanups } from './helpers/file-cleanups.ts';
import { createRotationFunction, finishedAttempt } from './helpers/rotation.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';
import { ensureSelfSigned } from '../src/tls/self-signed.ts';

/** GET over HTTPS trusting `ca` (fetch cannot be given a CA). */
function httpsGet(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const { started } = fileCleanups();

/** Allows everything in Secrets Manager, and denies it all when `aws:SecureTransport` is `deniedWhen`. */
function transportPolicy(deniedWhen: 'true' | 'false'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'secretsmanager:*', Resource: '*' },
      { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': deniedWhen } } },
    ],
  });
}

async function userWithPolicy(server: TestServer, name: string, policy: string): Promise<Credentials> {
  const iam = iamClient(server);
  const user = await userWithKey(iam, name);
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'transport', PolicyDocument: policy }));
  return user.credentials;
}

describe('--tls self-signed', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  before(async () => {
    server = await started({ args: ['--tls', 'self-signed'] });
    sm = secretsManager(server);
  });

  test('serves HTTPS with a CA kept in the data dir and printed for AWS_CA_BUNDLE', async () => {
    assert.match(server.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/);
    const caFile = join(server.dataDir, 'tls', 'ca.pem');
    assert.ok(server.stdout().includes(`TLS:        development CA ${caFile} (made at this start); give it to clients as AWS_CA_BUNDLE`), server.stdout());
    assert.ok(server.stdout().includes(`AWS_ENDPOINT_URL=${server.endpoint} AWS_CA_BUNDLE=${caFile}`));
    assert.equal(statSync(join(server.dataDir, 'tls', 'server.key')).mode & 0o777, 0o600);
    assert.ok(server.ca?.includes('BEGIN CERTIFICATE'));

    await sm.send(new CreateSecretCommand({ Name: 'tls/one', SecretString: 'over-tls' }));
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'tls/one' }))).SecretString, 'over-tls');
    // Debian's AWS CLI (Python's ssl) with the printed CA.
    const cli = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'tls/one'], { env: { AWS_CA_BUNDLE: caFile } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.json.SecretString, 'over-tls');
    // A client that does not trust the CA refuses the connection.
    await assert.rejects(fetch(`${server.endpoint}/health`), (err: Error & { cause?: { code?: string } }) => /UNABLE_TO_VERIFY|CERT/.test(String(err.cause?.code)));
    // Plain HTTP on the TLS port gets no answer at all.
    await assert.rejects(fetch(`${server.endpoint.replace('https:', 'http:')}/health`));
  });

  test('aws:SecureTransport is true over HTTPS', async () => {
    const denyInsecure = secretsManager(server, { credentials: await userWithPolicy(server, 'tls-deny-insecure', transportPolicy('false')) });
    assert.equal((await denyInsecure.send(new GetSecretValueCommand({ SecretId: 'tls/one' }))).SecretString, 'over-tls');
    const denySecure = secretsManager(server, { credentials: await userWithPolicy(server, 'tls-deny-secure', transportPolicy('true')) });
    await rejectsWith(denySecure.send(new GetSecretValueCommand({ SecretId: 'tls/one' })), 'AccessDeniedException', /with an explicit deny in an identity-based policy/);
  });

  test('rotation functions call back over HTTPS trusting the CA (Node.js and Python)', async () => {
    const rolePolicy = (arn: string) => S000_SINGLE_USER.replaceAll('<lambda_arn>', arn);
    for (const runtime of ['nodejs20.x', 'python3.11'] as const) {
      const fn = await createRotationFunction(server, { runtime, rolePolicy });
      const name = `tls/rotated-${runtime}`;
      const { ARN } = await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ username: 'app', password: 'before' }) }));
      await sm.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: fn.arn }));
      const attempt = await finishedAttempt(server, ARN!);
      assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
      assert.notEqual(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!).password, 'before');
    }
    const metrics = await httpsGet(`${server.endpoint}/metrics`, server.ca!);
    assert.match(metrics, /^coffer_rotations_total\{kind="rotate",outcome="succeeded"\} 2$/m);
  });
});

describe('aws:SecureTransport over plain HTTP', () => {
  test('is false: a policy denying insecure transport denies', async () => {
    const server = await started();
    const denyInsecure = secretsManager(server, { credentials: await userWithPolicy(server, 'http-deny-insecure', transportPolicy('false')) });
    await rejectsWith(denyInsecure.send(new GetSecretValueCommand({ SecretId: 'any' })), 'AccessDeniedException', /with an explicit deny in an identity-based policy/);
    const denySecure = secretsManager(server, { credentials: await userWithPolicy(server, 'http-deny-secure', transportPolicy('true')) });
    await rejectsWith(denySecure.send(new GetSecretValueCommand({ SecretId: 'any' })), 'ResourceNotFoundException');
  });
});

describe('--tls-cert and --tls-key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-tls-files-'));
  const files = ensureSelfSigned(dir, '127.0.0.1');
  const other = ensureSelfSigned(join(dir, 'other'), '127.0.0.1');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('serve the given certificate; clients trust the --tls-ca bundle', async () => {
    const server = await started({ args: ['--tls-cert', files.certFile, '--tls-key', files.keyFile, '--tls-ca', files.caFile] });
    assert.match(server.endpoint, /^https:/);
    assert.ok(server.stdout().includes(`TLS:        ${files.certFile}; clients trust ${files.caFile} (AWS_CA_BUNDLE)`));
    await secretsManager(server).send(new CreateSecretCommand({ Name: 'tls/files', SecretString: 'x' }));
  });

  test('a key that is not the certificate\'s, a missing file, or half a pair stops the start', async () => {
    const mismatch = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'd1'), '--tls-cert', files.certFile, '--tls-key', other.keyFile]);
    assert.equal(mismatch.code, 1);
    assert.equal(mismatch.stderr.trim(), `coffer: --tls-key is not the private key of --tls-cert ${files.certFile}`);
    const missing = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'd2'), '--tls-cert', join(dir, 'nope.pem'), '--tls-key', files.keyFile]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), `coffer: cannot read --tls-cert ${join(dir, 'nope.pem')}: no such file`);
    const half = await runCoffer(['serve', '--tls-cert', files.certFile]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /^coffer: --tls-cert and --tls-key go together\n/);
  });
});
