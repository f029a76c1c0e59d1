import type { SecretRepository } from '../../storage/secret-repository.ts';
import type { KeyStore } from '../kms/key-store.ts';

/** What Secrets Manager operations are built from. */
export interface SecretsManagerDeps {
  repo: SecretRepository;
  keys: KeyStore;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
}
