/**
 * `coffer accounts create`: a second account on one server, with its own root credentials,
 * and what crosses between accounts: nothing by default, metadata through a resource policy,
 * never a value under the AWS managed key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutResourcePolicyCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { COFFER_BIN, startServer, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { rejectsWith } from './helpers/secrets.ts';

const run = promisify(execFile);

async function createAccount(server: TestServer, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [COFFER_BIN, 'accounts', 'create', '--data-dir', server.dataDir, '--database', server.databaseUrl, ...extra], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', COFFER_TEST_PG_URL: process.env.COFFER_TEST_PG_URL ?? '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

function parseProfile(text: string): { profile: string; credentials: Credentials } {
  return {
    profile: /^\[(.+)\]$/m.exec(text)![1]!,
    credentials: {
      accessKeyId: /^aws_access_key_id = (\S+)$/m.exec(text)![1]!,
      secretAccessKey: /^aws_secret_access_key = (\S+)$/m.exec(text)![1]!,
    },
  };
}

describe('coffer accounts create', () => {
  let server: TestServer;
  let a: SecretsManagerClient;
  let b: SecretsManagerClient;
  let bCredentials: Credentials;
  const B = '210987654321';

  before(async () => {
    server = await startServer();
    a = secretsManager(server);
    const made = await createAccount(server, ['--account-id', B]);
    assert.equal(made.code, 0, made.stderr);
    const { profile, credentials } = parseProfile(made.stdout);
    assert.equal(profile, `account-${B}`);
    bCredentials = credentials;
    b = secretsManager(server, { credentials });
  });
  after(() => server?.destroy());

  test('prints a credentials-file profile whose key is the new account root, usable at once by the running server', async () => {
    const sts = new STSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: bCredentials, maxAttempts: 1 });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, B);
    assert.equal(me.Arn, `arn:aws:iam::${B}:root`);
  });

  test('an account id already on the server is refused with exit 1; a random id is 12 digits', async () => {
    const again = await createAccount(server, ['--account-id', B]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
    const random = await createAccount(server, ['--profile', 'ops']);
    assert.equal(random.code, 0, random.stderr);
    assert.match(random.stdout, /^\[ops\]\naws_access_key_id = AKIA[A-Z2-7]{16}\naws_secret_access_key = \S{40}\nregion = us-east-1\n$/);
  });

  test('accounts see only their own secrets; another account reaches one only where its resource policy allows', async () => {
    const created = await b.send(new CreateSecretCommand({ Name: 'shared/db', SecretString: 'b-value' }));
    assert.match(created.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:${B}:secret:shared/db-`));
    const listed = await a.send(new ListSecretsCommand({}));
    assert.ok(!listed.SecretList!.some((s) => s.ARN === created.ARN));
    // By name, account A looks in its own account.
    await rejectsWith(a.send(new DescribeSecretCommand({ SecretId: 'shared/db' })), 'ResourceNotFoundException');
    // By ARN, without a grant: denied.
    await rejectsWith(a.send(new DescribeSecretCommand({ SecretId: created.ARN })), 'AccessDeniedException');

    await b.send(new PutResourcePolicyCommand({
      SecretId: created.ARN,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${server.accountId}:root` }, Action: 'secretsmanager:*', Resource: '*' }],
      }),
    }));
    const described = await a.send(new DescribeSecretCommand({ SecretId: created.ARN }));
    assert.equal(described.Name, 'shared/db');
    // The value is under B's aws/secretsmanager key, which no other account may use.
    await rejectsWith(a.send(new GetSecretValueCommand({ SecretId: created.ARN })), 'InvalidRequestException',
      "You can't access a secret from a different AWS account if you encrypt the secret with the default KMS service key.");
    assert.equal((await b.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString, 'b-value');
  });
});
