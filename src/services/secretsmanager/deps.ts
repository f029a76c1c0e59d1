import type { SecretRepository } from '../../storage/secret-repository.ts';
import type { KeyStore } from '../kms/key-store.ts';
import type { DataKeyCache } from '../kms/data-key-cache.ts';
import type { RotationDriver } from './rotation/driver.ts';
import type { ReplicationRoutes } from './replication/routes.ts';

/** What Secrets Manager operations are built from. */
export interface SecretsManagerDeps {
  repo: SecretRepository;
  keys: KeyStore;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
  /** Unwrapped data keys kept briefly in memory; secretsManagerService makes one if absent. */
  dataKeyCache?: DataKeyCache;
  /** Runs rotation functions (src/services/secretsmanager/rotation/); without it RotateSecret refuses every function, as for one it cannot invoke. */
  rotation?: RotationDriver;
  /** Replication to other regions (replication/): where each region is, and a nudge for the worker. Absent: every region is unknown. */
  replication?: { routes: ReplicationRoutes; kick(): void };
}
