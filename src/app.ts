/**
 * Assembles one coffer node: storage, the root key, credentials, the services and the
 * authorization hook. `createApp` does no networking; `src/http/server.ts` serves it.
 */
import { mkdirSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { StartupError, type ServerConfig } from './config.ts';
import { openStore, type Store } from './storage/database.ts';
import { unlockRootKey } from './crypto/root-key.ts';
import type { RootKeyRing } from './crypto/root-key-ring.ts';
import { watchRing } from './crypto/root-key-watch.ts';
import { CredentialStore } from './auth/credentials.ts';
import { policyAuthorizer, type Authorizer } from './auth/authorize.ts';
import { iamPolicySource } from './services/iam/policy-source.ts';
import type { JsonService } from './protocol/aws-json.ts';
import type { QueryService } from './protocol/aws-query.ts';
import { KeyStore } from './services/kms/key-store.ts';
import { KeyWriter } from './services/kms/key-writes.ts';
import { kmsService } from './services/kms/service.ts';
import { startKeyMaintenance } from './services/kms/key-maintenance.ts';
import { iamPrincipalExists } from './services/kms/principal-lookup.ts';
import { SecretRepository } from './storage/secret-repository.ts';
import { secretsManagerService } from './services/secretsmanager/service.ts';
import { setUpReplication } from './services/secretsmanager/replication/setup.ts';
import { stsService } from './services/sts/service.ts';
import { iamService } from './services/iam/service.ts';
import { startPurgeTask, type PurgeTask } from './services/secretsmanager/purge.ts';
import { RotationDriver } from './services/secretsmanager/rotation/driver.ts';
import { startRotationScheduler, type RotationScheduler } from './services/secretsmanager/rotation/scheduler.ts';
import type { FunctionRuntime, ServiceInvoker } from './services/lambda/contract.ts';
import type { RestJsonService } from './protocol/rest-json.ts';
import { FunctionStore } from './services/lambda/function-store.ts';
import { lambdaService } from './services/lambda/service.ts';
import { serviceInvoker } from './services/lambda/service-invoke.ts';
import { createProcessRuntime, lambdaSessions } from './services/lambda/runtime/index.ts';
import { defaultAccountId, setUpRootCredentials, type AccountSetup } from './accounts.ts';
import { RequestObservers } from './observe/request-record.ts';
import { createAudit } from './audit/setup.ts';
import { Throttle } from './throttle/throttle.ts';
import { refuseOpenPermissions } from './file-permissions.ts';
import { DataKeyCache } from './services/kms/data-key-cache.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { LOG_REDACTION } from './observe/log-redaction.ts';
import { startAccessLog } from './observe/access-log.ts';
import { databaseReadiness, type Readiness } from './metrics/readiness.ts';
import { createConsoleServer, type ConsoleServer } from './console/api.ts';
import { startCluster, type Cluster } from './cluster/cluster.ts';
import { DatabaseServedElsewhere } from './storage/serve-lock.ts';

export interface App {
  config: ServerConfig;
  log: Logger;
  store: Store;
  credentials: CredentialStore;
  authorize: Authorizer;
  jsonServices: Map<string, JsonService>;
  /** awsQuery services by SigV4 signing name (`sts`, `iam`). */
  queryServices: Map<string, QueryService>;
  /** restJson1 services by SigV4 signing name (`lambda`). */
  restJsonServices: Map<string, RestJsonService>;
  /** Invokes a function as an AWS service principal would (Secrets Manager's rotations). */
  serviceInvoker: ServiceInvoker;
  /** Runs Lambda functions in child processes. */
  functionRuntime: FunctionRuntime;
  /** The URL this node serves on, given to functions; `coffer serve` sets it once listening. */
  endpoint: string;
  /** The CA bundle functions trust for `endpoint` (HTTPS with a private CA); `coffer serve` sets it before the endpoint. */
  caBundle: string | undefined;
  account: AccountSetup;
  purge: PurgeTask;
  /** Secrets Manager's rotation driver: attempts (`rotation.attempts`) for the console and tests. */
  rotation: RotationDriver;
  /** Called once per finished API request (audit trail, metrics): src/observe/request-record.ts. */
  observers: RequestObservers;
  /** This node among the others on its database: cache invalidation, job leases (src/cluster/). */
  cluster: Cluster;
  /** Per-account request rates, checked once a request is authenticated; this node's share in a cluster (src/throttle/). */
  throttle: Throttle;
  /** Prometheus metrics served at /metrics (src/metrics/metrics.ts). */
  metrics: Metrics;
  /** What /ready answers: the database reachable (src/metrics/readiness.ts). */
  readiness: Readiness;
  /** The web console at /console and its sign-in API (src/console/). */
  readonly console: ConsoleServer;
  close(): Promise<void>;
}

export async function createApp(config: ServerConfig, log: Logger = pino({ level: config.logLevel, redact: LOG_REDACTION }, pino.destination(2))): Promise<App> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  refuseOpenPermissions(config);
  let store: Store;
  try {
    store = await openStore(config.databaseUrl, { serving: true });
  } catch (err) {
    if (err instanceof DatabaseServedElsewhere) throw new StartupError(err.message);
    throw err;
  }
  try {
    return await assemble(config, log, store);
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * The root key the configuration names (key file, passphrase or external KMS), checked
 * against the generations this database holds: a ring with that generation and, during a
 * rotation, the other one.
 */
export function openRootKey(config: Pick<ServerConfig, 'rootKey'>, store: Store): Promise<RootKeyRing> {
  return unlockRootKey(config.rootKey, store.db);
}

async function assemble(config: ServerConfig, log: Logger, store: Store): Promise<App> {
  const rootKey = await openRootKey(config, store);
  // Other nodes on the same PostgreSQL: caches hear their writes, jobs take leases (docs/deployment.md).
  const cluster = await startCluster(store, config.databaseUrl, log);
  const credentials = new CredentialStore(store.db, rootKey, cluster.sync);
  const accountId = await defaultAccountId(store.db, config.accountId);
  const firstRegion = config.regions === 'any' ? 'us-east-1' : config.regions[0]!;
  const account = await setUpRootCredentials(store.db, credentials, {
    accountId, dataDir: config.dataDir, region: firstRegion,
    envAccessKeyId: config.rootAccessKeyId, envSecret: config.rootSecretAccessKey,
  });
  const keys = new KeyStore(store.db, rootKey, cluster.sync);
  const repo = new SecretRepository(store.db, store.dialect, { sync: cluster.sync });
  const now = () => Date.now();
  // Rotation invokes functions through Lambda's ServiceInvoker, assembled with the Lambda service.
  let rotationInvoker: ServiceInvoker | undefined;
  // The audit trail (docs/audit.md): every API call, plus the services' own events.
  const audit = createAudit(config, store, rootKey, log, now);
  const rotation = new RotationDriver({ repo, sealer: rootKey, log, now, invoker: () => rotationInvoker, audit: audit.trail, nodeId: cluster.nodeId });
  // Built here rather than inside the service so /metrics can read its hit counts.
  const dataKeyCache = new DataKeyCache();
  // Replication to other regions: a worker pushing to replicas, and the API peers push to (docs/replication.md).
  const replication = setUpReplication(config, log, { repo, keys, now, dataKeyCache }, credentials, { leases: cluster.leases, name: 'secret-replication' });
  const sm = secretsManagerService({ repo, keys, now, rotation, dataKeyCache, replication: replication.hooks });
  // MFA devices' seeds are sealed under the root key, as access-key secrets are.
  const sealer = rootKey;
  const sts = stsService({ db: store.db, credentials, now, sealer });
  // Every IAM write drops the authorizer's per-principal policy cache.
  const authorize = policyAuthorizer(iamPolicySource(store.db), cluster.sync);
  const iam = iamService({ db: store.db, credentials, now, changed: () => { authorize.invalidate(); cluster.sync.publish('iam', '*'); }, sealer });
  const purge = startPurgeTask(repo, log, now, undefined, audit.trail, { leases: cluster.leases, name: 'secret-purge' });
  // Starts due rotations from the database (rotation_due_at): a restart loses none. It starts
  // once the node serves (the endpoint is set): rotation functions call back on that URL.
  let rotationScheduler: RotationScheduler | undefined;
  // Lambda: functions sealed under the root key, run as child processes with their role's credentials.
  let endpoint = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  let caBundle: string | undefined;
  const functionRuntime = createProcessRuntime({
    db: store.db, sealer: rootKey, credentials: lambdaSessions({ db: store.db, credentials, now, sealer }),
    endpoint: () => endpoint, caBundle: () => caBundle, python: config.functions.python, node: config.functions.node, concurrency: config.functions.concurrency,
    onError: (err, what) => log.warn({ err: err instanceof Error ? err.message : String(err) }, what),
  });
  const lambdaDeps = { db: store.db, functions: new FunctionStore(store.db, rootKey, now), runtime: functionRuntime, now, log };
  const lambda = lambdaService(lambdaDeps);
  rotationInvoker = serviceInvoker(lambdaDeps);
  const kmsWriter = new KeyWriter(keys, store.dialect);
  const kms = kmsService({ keys, writer: kmsWriter, now, principalExists: iamPrincipalExists(store.db) });
  // Deletes keys whose waiting period ended and makes due automatic rotations.
  const kmsMaintenance = startKeyMaintenance(keys, kmsWriter, log, now, undefined, audit.trail, { leases: cluster.leases, name: 'kms-key-maintenance' });
  cluster.attach({ secrets: repo.readCache, keys, credentials, policies: authorize.cache });
  // Expired STS sessions are refused anyway; the sweep only keeps the table small.
  credentials.sessions.startSweeping(now, (err) => log.warn({ err }, 'sweeping expired STS sessions failed'));
  // A rotation run by `coffer root-key rotate` elsewhere adds a generation; the ring follows it.
  const ringWatch = watchRing(rootKey, store.db, (err) => log.warn({ err }, 'refreshing the root key ring failed'));
  const observers = new RequestObservers(log);
  observers.add(audit.trail.observe);
  startAccessLog(log, observers);
  // Each node's buckets hold its share of every quota: the cluster together admits about AWS's rate.
  const throttle = new Throttle(config.throttle);
  cluster.watchLiveNodes((n) => throttle.setLiveNodes(n));
  const metrics = createMetrics({
    observers, rotationEnded: rotation.ended,
    caches: { secret_read: () => repo.readCache, principal_policy: () => authorize.cache, kms_data_key: () => dataKeyCache },
    database: { dialect: store.dialect, pool: store.pool },
    liveNodes: () => throttle.nodesSharing,
  });
  let consoleServer: ConsoleServer | undefined;
  return {
    config, log, store, cluster, credentials, account, purge, rotation,
    authorize, observers, metrics, throttle, readiness: databaseReadiness(store.db),
    jsonServices: new Map([[sm.targetPrefix, sm], [kms.targetPrefix, kms], [audit.service.targetPrefix, audit.service], [replication.peerService.targetPrefix, replication.peerService]]),
    queryServices: new Map([[sts.signingName, sts], [iam.signingName, iam]]),
    restJsonServices: new Map([[lambda.signingName, lambda]]),
    serviceInvoker: rotationInvoker, functionRuntime,
    get endpoint() { return endpoint; },
    // Made on first use: it needs the assembled app (sessions, services, authorizer).
    get console() { return consoleServer ??= createConsoleServer(this as App, sealer, now); },
    get caBundle() { return caBundle; },
    set caBundle(file: string | undefined) { caBundle = file; },
    set endpoint(url: string) {
      endpoint = url;
      rotationScheduler ??= startRotationScheduler(repo, rotation, log, now);
    },
    async close() {
      // Before the runtime and the store: running rotations are handed back to the schedule.
      await rotationScheduler?.stop();
      await rotation.stop();
      await purge.stop();
      await replication.stop();
      await kmsMaintenance.stop();
      await credentials.sessions.stopSweeping();
      await ringWatch.stop();
      // Running invocations may still write their logs: the runtime closes before the store.
      await functionRuntime.close();
      // After everything that records events (rotations, purges, key deletions) has stopped.
      await audit.trail.close();
      metrics.close();
      // Last before the store: everything above may still have published invalidations.
      await cluster.close();
      await store.close();
    },
  };
}
