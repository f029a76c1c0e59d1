/**
 * The embedded SQLite database serves one node: a second `coffer serve` on the same data dir
 * is refused with a message saying why and what to do, while the first keeps serving; after
 * the first is killed with SIGKILL (no clean release), a new server starts at once.
 * SQLite only (over PostgreSQL several nodes are the point: test/cluster-nodes.test.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { runCoffer } from './helpers/process.ts';

const skip = TEST_DATABASE === 'sqlite' ? false : 'the one-node lock is the embedded SQLite database\'s (COFFER_TEST_DATABASE=sqlite)';
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  if (servers[0]) rmSync(servers[0].dataDir, { recursive: true, force: true });
});

test('a second server on the same SQLite data dir is refused; a SIGKILLed server leaves no lock behind', { skip }, async () => {
  const first = await startServer();
  servers.push(first);
  await secretsManager(first).send(new CreateSecretCommand({ Name: 'one-node', SecretString: 'kept' }));

  const second = await runCoffer(['serve', '--listen', '127.0.0.1:0', '--data-dir', first.dataDir], {
    env: { COFFER_ROOT_ACCESS_KEY_ID: first.root.accessKeyId, COFFER_ROOT_SECRET_ACCESS_KEY: first.root.secretAccessKey },
  });
  assert.equal(second.code, 1, second.stderr);
  assert.match(second.stderr, /^coffer: another coffer server is already serving \S+coffer\.db \(it holds \S+coffer\.db\.serve-lock\)\. The embedded SQLite database serves one node: stop that server first, or run several nodes on PostgreSQL/);
  assert.equal(second.stdout, '');
  // The first is untouched.
  assert.equal((await secretsManager(first).send(new GetSecretValueCommand({ SecretId: 'one-node' }))).SecretString, 'kept');

  first.process.kill('SIGKILL');
  await first.stop();
  const third = await startServer({ dataDir: first.dataDir, root: first.root, databaseUrl: first.databaseUrl });
  servers.push(third);
  assert.equal((await secretsManager(third).send(new GetSecretValueCommand({ SecretId: 'one-node' }))).SecretString, 'kept');
});
