/** The real AWS clients, pointed at a test server. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { clientTls, type Credentials, type TestServer } from './server.ts';

const run = promisify(execFile);

/** Debian's AWS CLI v2 (`apt-get install awscli`); override with COFFER_TEST_AWS_CLI. */
export const AWS_CLI = process.env.COFFER_TEST_AWS_CLI ?? '/usr/bin/aws';

export function secretsManager(server: TestServer, opts: { credentials?: Credentials; region?: string; maxAttempts?: number } = {}): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: server.endpoint,
    region: opts.region ?? 'us-east-1',
    credentials: opts.credentials ?? server.root,
    maxAttempts: opts.maxAttempts ?? 1,
    ...clientTls(server),
  });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON. */
  json?: any;
}

/** Runs `aws --endpoint-url … <args>` with the server's root credentials. */
export async function awsCli(server: TestServer, args: string[], opts: { credentials?: Credentials; region?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const creds = opts.credentials ?? server.root;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_REGION: opts.region ?? 'us-east-1',
    AWS_DEFAULT_REGION: opts.region ?? 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...opts.env,
  };
  try {
    const { stdout, stderr } = await run(AWS_CLI, ['--endpoint-url', server.endpoint, '--output', 'json', ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr, json: parseJson(stdout) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '', json: parseJson(err.stdout ?? '') };
  }
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try { return JSON.parse(text); } catch { return undefined; }
}
