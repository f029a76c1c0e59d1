/** What a database engine gives the shared rotation steps (steps.ts). */
import type { DbSecret } from './secret-json.ts';

export interface DbSession {
  /**
   * Whether the server asked for the password at sign-in. A server that trusts the connection
   * (PostgreSQL's `trust` method) lets any password in, so such a login proves nothing about it.
   */
  readonly passwordChecked: boolean;
  /** A trivial query, as AWS's testSecret runs (`SELECT NOW()`). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface Engine<S extends DbSession = DbSession> {
  label: string;
  defaultPort: number;
  /** Values of the secret's `engine` this template accepts. */
  acceptedEngines: readonly string[];
  /** EXCLUDE_CHARACTERS when the function does not set it (AWS's default for the engine). */
  defaultExcludeCharacters: string;
  /** Longest user name the engine takes (checked for the `_clone` name at createSecret). */
  maxUsernameLength(env: Record<string, string | undefined>): number;
  /** Logs in with the secret's credentials; null when the login is refused or the server is unreachable. */
  connect(secret: DbSecret, options?: { dbname?: string }): Promise<S | null>;
  /** Single user: the signed-in user sets its own password to the pending one. */
  setOwnPassword(session: S, pending: DbSecret): Promise<void>;
  /**
   * Alternating users, signed in as master: makes `pending.username` exist, interchangeable
   * with `current.username`, with `pending.password`. Must converge when repeated after a crash
   * at any point, and allow the pending login only once everything else is in place.
   */
  setAlternatePassword(master: S, current: DbSecret, currentSession: S, pending: DbSecret): Promise<void>;
}
