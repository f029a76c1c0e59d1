/**
 * For the built-in rotation function tests: deploy a template as `coffer rotation setup`
 * will (CreateFunction from templateZip, an execution role with the seed documents' policy,
 * a resource policy for secretsmanager.amazonaws.com), rotate through RotateSecret, and a
 * throwaway PostgreSQL cluster that checks passwords (the machine's own trusts local logins).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { AddPermissionCommand, CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { S001_ALTERNATING, S001_SINGLE_USER } from '../../src/iam/seed-examples.ts';
import { ROTATION_TEMPLATES, templateZip, type TemplateName } from '../../src/rotation-templates/index.ts';
import { iamClient } from './iam.ts';
import { finishedAttempt, lambdaClient, type AttemptRow } from './rotation.ts';
import type { TestServer } from './server.ts';

const run = promisify(execFile);

export const rand = (n = 6) => randomBytes(n).toString('hex');

const LAMBDA_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Creates the template's function with the seed policy (secrets named `<prefix>*`, and the master secret). */
export async function deployTemplate(server: TestServer, template: TemplateName, o: { secretPrefix: string; masterArn?: string; env?: Record<string, string> }): Promise<string> {
  const name = `${template}-${rand(3)}`;
  const arn = `arn:aws:lambda:us-east-1:${server.accountId}:function:${name}`;
  const secrets = `arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:${o.secretPrefix}*`;
  const policy = (ROTATION_TEMPLATES[template].alternating ? S001_ALTERNATING : S001_SINGLE_USER)
    .replaceAll('"SecretARN"', JSON.stringify(secrets))
    .replaceAll('"SeparateSecretARN"', JSON.stringify(o.masterArn ?? 'arn:aws:secretsmanager:us-east-1:000000000000:secret:none'))
    .replaceAll('LambdaRotationFunctionARN', arn)
    .replaceAll('111122223333', server.accountId);
  const iam = iamClient(server);
  const role = await iam.send(new CreateRoleCommand({ RoleName: `${name}-role`, AssumeRolePolicyDocument: LAMBDA_TRUST }));
  await iam.send(new PutRolePolicyCommand({ RoleName: `${name}-role`, PolicyName: 'rotation', PolicyDocument: policy }));
  const pkg = await templateZip(template);
  const lambda = lambdaClient(server);
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: pkg.runtime, Handler: pkg.handler, Role: role.Role!.Arn!, Timeout: 60,
    Code: { ZipFile: pkg.zip }, Environment: { Variables: { ...pkg.environment, ...o.env } },
  }));
  await lambda.send(new AddPermissionCommand({
    FunctionName: name, StatementId: 'SecretsManagerAccess', Action: 'lambda:InvokeFunction',
    Principal: 'secretsmanager.amazonaws.com', SourceAccount: server.accountId,
  }));
  return arn;
}

export async function createDbSecret(sm: SecretsManagerClient, name: string, value: Record<string, unknown>): Promise<string> {
  return (await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }))).ARN!;
}

/** RotateSecret, then waits for the attempt (the `count`th of the secret) to finish. */
export async function rotate(server: TestServer, sm: SecretsManagerClient, arn: string, functionArn: string, count: number): Promise<AttemptRow> {
  await sm.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: functionArn }));
  return finishedAttempt(server, arn, 120_000, count);
}

export function assertSucceeded(attempt: AttemptRow): void {
  assert.equal(attempt.outcome, 'succeeded', JSON.stringify(attempt));
}

export async function secretValue<T = Record<string, string>>(sm: SecretsManagerClient, arn: string, stage = 'AWSCURRENT'): Promise<T> {
  return JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }))).SecretString!) as T;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PgLoginConfig { host: string; port: number; user: string; password: string; database: string; ssl?: pg.ClientConfig['ssl'] }

export interface ScratchPostgres {
  port: number;
  admin: PgLoginConfig;
  /** With `tls`: the PEM of the CA that signed the server's certificate, world-readable (functions may run as nobody). */
  caFile?: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Makes a CA and a server certificate for 127.0.0.1/localhost (SAN) with the openssl CLI into
 * the cluster's data directory (server.crt, server.key: mode 0600, owned by the cluster's user),
 * and the CA's certificate into a world-readable directory of its own. Returns the CA's path and
 * that directory.
 */
async function makeServerCertificate(dataDir: string, owner: { uid: number; gid: number } | null): Promise<{ caFile: string; caDir: string }> {
  const work = mkdtempSync(join(tmpdir(), 'coffer-scratch-pki-'));
  try {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await run('openssl', ['req', '-x509', ...ec, '-keyout', join(work, 'ca.key'), '-out', join(work, 'ca.pem'), '-days', '2', '-subj', '/CN=coffer scratch test CA',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await run('openssl', ['req', '-new', ...ec, '-keyout', join(dataDir, 'server.key'), '-out', join(work, 'server.csr'), '-subj', '/CN=localhost']);
    writeFileSync(join(work, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    await run('openssl', ['x509', '-req', '-in', join(work, 'server.csr'), '-CA', join(work, 'ca.pem'), '-CAkey', join(work, 'ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', join(work, 'ext'), '-out', join(dataDir, 'server.crt')]);
    for (const f of ['server.key', 'server.crt']) {
      chmodSync(join(dataDir, f), 0o600);
      if (owner) chownSync(join(dataDir, f), owner.uid, owner.gid);
    }
    const caDir = mkdtempSync(join(tmpdir(), 'coffer-scratch-ca-'));
    chmodSync(caDir, 0o755);
    copyFileSync(join(work, 'ca.pem'), join(caDir, 'ca.pem'));
    chmodSync(join(caDir, 'ca.pem'), 0o644);
    return { caFile: join(caDir, 'ca.pem'), caDir };
  } finally {
    rmSync(work, { recursive: true, force: true }); // the CA's key goes with it
  }
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 requiring scram-sha-256 for every login.
 * With `tls`: `ssl = on` with a certificate made for the test, and pg_hba accepting TCP logins
 * only over TLS (`hostssl`), so a plain connection is refused; `admin` then connects with TLS.
 */
export async function scratchPostgres(o: { tls?: boolean } = {}): Promise<ScratchPostgres> {
  const bin = (await run('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1'])).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'coffer-scratch-pg-'));
  const asRoot = process.getuid?.() === 0;
  const password = rand(12);
  writeFileSync(join(dir, 'pw'), password + '\n');
  let owner: { uid: number; gid: number } | null = null;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    owner = { uid, gid };
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'pw'), uid, gid);
  }
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args));
  await as(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '-E', 'UTF8']);
  let ca: { caFile: string; caDir: string } | undefined;
  if (o.tls) {
    ca = await makeServerCertificate(join(dir, 'data'), owner);
    // server.crt/server.key in the data directory are ssl_cert_file/ssl_key_file's defaults.
    appendFileSync(join(dir, 'data', 'postgresql.conf'), '\nssl = on\n');
    writeFileSync(join(dir, 'data', 'pg_hba.conf'), [
      'local all all scram-sha-256',
      'hostssl all all 127.0.0.1/32 scram-sha-256',
      'hostssl all all ::1/128 scram-sha-256',
      '',
    ].join('\n'));
  }
  const port = await freePort();
  const start = async () => {
    await as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  };
  const stop = async () => {
    await as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    port,
    admin: { host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres', ...(ca ? { ssl: { ca: readFileSync(ca.caFile, 'utf8') } } : {}) },
    ...(ca ? { caFile: ca.caFile } : {}),
    start,
    stop,
    async destroy() {
      await as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      if (ca) rmSync(ca.caDir, { recursive: true, force: true });
    },
  };
}

/** Signs in and runs `fn`; null when the login is refused. */
export async function pgLogin<T>(c: PgLoginConfig, fn: (client: pg.Client) => Promise<T> = async () => undefined as T): Promise<T | { refused: string }> {
  const client = new pg.Client({ ...c, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    return { refused: (err as Error).message };
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
