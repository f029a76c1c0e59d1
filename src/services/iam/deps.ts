import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { CredentialStore } from '../../auth/credentials.ts';
import type { Sealer } from './mfa-store.ts';

/** What IAM operations are built from. */
export interface IamDeps {
  db: Kysely<Database>;
  credentials: CredentialStore;
  /** Milliseconds since the epoch. */
  now: () => number;
  /**
   * Called after any IAM write commits, so caches of principals' policies (the authorizer's)
   * are dropped. One call per write; cheap.
   */
  changed: () => void;
  /** Seals under the root key: MFA devices' TOTP seeds. */
  sealer?: Sealer;
}
