/**
 * Assembles one coffer node: storage, the root key, credentials, the services and the
 * authorization hook. `createApp` does no networking; `src/http/server.ts` serves it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ServerConfig } from './config.ts';
import { openStore, type Store } from './storage/database.ts';
import { unlockRootKey } from './crypto/root-key.ts';
import { open, seal } from './crypto/aead.ts';
import { initMeta, readMeta } from './storage/meta.ts';
import { CredentialStore } from './auth/credentials.ts';
import { policyAuthorizer, type Authorizer } from './auth/authorize.ts';
import { iamPolicySource } from './services/iam/policy-source.ts';
import type { JsonService } from './protocol/aws-json.ts';
import type { QueryService } from './protocol/aws-query.ts';
import { KeyStore } from './services/kms/key-store.ts';
import { SecretRepository } from './storage/secret-repository.ts';
import { secretsManagerService } from './services/secretsmanager/service.ts';
import { stsService } from './services/sts/service.ts';
import { iamService } from './services/iam/service.ts';
import { startPurgeTask, type PurgeTask } from './services/secretsmanager/purge.ts';
import { defaultAccountId, setUpRootCredentials, type AccountSetup } from './accounts.ts';

export interface App {
  config: ServerConfig;
  log: Logger;
  store: Store;
  credentials: CredentialStore;
  authorize: Authorizer;
  jsonServices: Map<string, JsonService>;
  /** awsQuery services by SigV4 signing name (`sts`, `iam`). */
  queryServices: Map<string, QueryService>;
  account: AccountSetup;
  purge: PurgeTask;
  close(): Promise<void>;
}

export async function createApp(config: ServerConfig, log: Logger = pino({ level: config.logLevel }, pino.destination(2))): Promise<App> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openStore(config.databaseUrl);
  try {
    return await assemble(config, log, store);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** The root key the configuration names, checked against the one this database was set up with. */
export function openRootKey(config: Pick<ServerConfig, 'rootKeyFromEnv' | 'rootKeyFile' | 'dataDir'>, store: Store): Promise<Buffer> {
  return unlockRootKey(
    { env: config.rootKeyFromEnv, file: config.rootKeyFile, defaultFile: config.rootKeyFile === join(config.dataDir, 'root.key') },
    { get: () => readMeta(store.db, 'root_key_check'), putIfAbsent: async (v) => { await initMeta(store.db, 'root_key_check', v); } },
  );
}

async function assemble(config: ServerConfig, log: Logger, store: Store): Promise<App> {
  const rootKey = await openRootKey(config, store);
  const credentials = new CredentialStore(store.db, rootKey);
  const accountId = await defaultAccountId(store.db, config.accountId);
  const firstRegion = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
  const account = await setUpRootCredentials(store.db, credentials, {
    accountId, dataDir: config.dataDir, region: firstRegion,
    envAccessKeyId: config.rootAccessKeyId, envSecret: config.rootSecretAccessKey,
  });
  const keys = new KeyStore(store.db, rootKey);
  const repo = new SecretRepository(store.db, store.dialect);
  const now = () => Date.now();
  const sm = secretsManagerService({ repo, keys, now });
  // MFA devices' seeds are sealed under the root key, as access-key secrets are.
  const sealer = { seal: (p: Buffer, aad: string) => seal(rootKey, p, aad), open: (c: Buffer, aad: string) => open(rootKey, c, aad) };
  const sts = stsService({ db: store.db, credentials, now, sealer });
  // Every IAM write drops the authorizer's per-principal policy cache.
  const authorize = policyAuthorizer(iamPolicySource(store.db));
  const iam = iamService({ db: store.db, credentials, now, changed: () => authorize.invalidate(), sealer });
  const purge = startPurgeTask(repo, log, now);
  // Expired STS sessions are refused anyway; the sweep only keeps the table small.
  credentials.sessions.startSweeping(now, (err) => log.warn({ err }, 'sweeping expired STS sessions failed'));
  return {
    config, log, store, credentials, account, purge,
    authorize,
    jsonServices: new Map([[sm.targetPrefix, sm]]),
    queryServices: new Map([[sts.signingName, sts], [iam.signingName, iam]]),
    async close() {
      await purge.stop();
      await credentials.sessions.stopSweeping();
      await store.close();
    },
  };
}
