import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../storage/schema.ts';
import type { FunctionRuntime } from './contract.ts';
import type { FunctionStore } from './function-store.ts';

/** What the Lambda operations and the service invoker are built from. */
export interface LambdaDeps {
  /** For role lookups (trust policy of a function's execution role). */
  db: Kysely<Database>;
  functions: FunctionStore;
  runtime: FunctionRuntime;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Where `Event` invocations that fail are reported (nobody waits for them). */
  log: Pick<Logger, 'warn' | 'error'>;
}
