import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer } from './helpers/server.ts';
import { awsCli, secretsManager } from './helpers/clients.ts';

test('a secret written with the SDK reads back through the CLI', async (t) => {
  const server = await startServer();
  t.after(() => server.destroy());
  const sm = secretsManager(server);
  const created = await sm.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: '{"password":"s3cret"}' }));
  assert.match(created.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:${server.accountId}:secret:prod/db-[A-Za-z0-9]{6}$`));
  const got = await sm.send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
  assert.equal(got.SecretString, '{"password":"s3cret"}');
  const cli = await awsCli(server, ['secretsmanager', 'get-secret-value', '--secret-id', 'prod/db']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.json.SecretString, '{"password":"s3cret"}');
});
