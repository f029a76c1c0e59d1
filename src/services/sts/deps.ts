import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.ts';
import type { CredentialStore } from '../../auth/credentials.ts';
import type { Sealer } from '../iam/mfa-store.ts';

/** What STS operations are built from: roles are read from IAM's tables, sessions issued through the credential store. */
export interface StsDeps {
  db: Kysely<Database>;
  credentials: CredentialStore;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Opens MFA devices' sealed seeds to check SerialNumber/TokenCode. */
  sealer?: Sealer;
}
