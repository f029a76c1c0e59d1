import { test } from 'node:test';
import { ListSecretsCommand, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { startServer } from '../helpers/server.ts';
import { secretsManager } from '../helpers/clients.ts';
test('dbg', async () => {
  const s = await startServer({ env: { COFFER_LOG_LEVEL: 'debug' } });
  const sm = secretsManager(s);
  await sm.send(new CreateSecretCommand({ Name: 'x', SecretString: 'v' }));
  try { console.log(await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['x'] }] }))); } catch (e) { console.log(e); }
  await s.stop();
  console.log(s.stdout().slice(-3000), s.stderr().slice(-3000));
  await s.destroy();
});
