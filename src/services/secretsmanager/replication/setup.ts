/** Assembles replication for one node: the routes, the worker and the peer API (app.ts wires them in). */
import type { Logger } from 'pino';
import type { ServerConfig } from '../../../config.ts';
import type { CredentialStore } from '../../../auth/credentials.ts';
import type { JsonService } from '../../../protocol/aws-json.ts';
import type { TaskLease } from '../../../periodic-task.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { ReplicationRoutes } from './routes.ts';
import { startReplicationWorker, type ReplicationWorker } from './worker.ts';
import { peerReplicationService } from './peer-service.ts';

export interface Replication {
  hooks: NonNullable<SecretsManagerDeps['replication']>;
  peerService: JsonService;
  worker: ReplicationWorker;
  stop(): Promise<void>;
}

export function setUpReplication(
  config: Pick<ServerConfig, 'regions' | 'replication'>, log: Logger, base: Omit<SecretsManagerDeps, 'replication' | 'rotation'>, credentials: CredentialStore,
  /** Several nodes on one database: only the holder pushes (docs/replication.md). */
  lease?: TaskLease,
): Replication {
  const options = config.replication ?? { peers: new Map(), trust: [], intervalMs: 1000 };
  const routes = new ReplicationRoutes(config.regions, options.peers);
  let worker: ReplicationWorker | undefined;
  const hooks = { routes, kick: () => worker?.kick() };
  const deps: SecretsManagerDeps = { ...base, replication: hooks };
  worker = startReplicationWorker(deps, routes, log.child({ task: 'replication' }), options.intervalMs, lease);
  const peerService = peerReplicationService({
    sm: deps, trust: options.trust,
    secretOf: async (accessKeyId) => {
      const key = await credentials.resolve(accessKeyId);
      return key?.status === 'Active' ? key.secret : undefined;
    },
  });
  return { hooks, peerService, worker, stop: () => worker!.stop() };
}
