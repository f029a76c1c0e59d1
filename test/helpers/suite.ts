/**
 * The setup most end-to-end test files share: one server for the file (or the enclosing
 * `describe`) and a Secrets Manager client for it, started before the first test and
 * destroyed after the last.
 */
import { after, before } from 'node:test';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type ServerOptions, type TestServer } from './server.ts';
import { secretsManager } from './clients.ts';

export function useServer(ready: (server: TestServer, sm: SecretsManagerClient) => void, opts?: ServerOptions): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startServer(opts);
    ready(server, secretsManager(server));
  });
  after(() => server?.destroy());
}
