import type { KeyStore } from './key-store.ts';
import type { KeyWriter } from './key-writes.ts';
import type { PrincipalExists } from './key-policy.ts';

/** What KMS operations are built from. */
export interface KmsDeps {
  keys: KeyStore;
  writer: KeyWriter;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  now: () => number;
  principalExists: PrincipalExists;
}
