/**
 * The embedded SQLite database serves one node. `coffer serve` holds an exclusive lock on a
 * companion file (`<database>.serve-lock`) for as long as it runs, taken through SQLite's own
 * file locking (POSIX advisory locks): the operating system drops it when the process ends,
 * however it ends, so a server killed with SIGKILL never blocks the next start. The lock
 * file itself stays, empty; it means nothing while no process holds it.
 *
 * Only `serve` takes it: `coffer accounts create`, `coffer root-key rotate` and the other
 * commands are meant to run beside a server and use SQLite's ordinary write locking.
 */
import SQLite from 'better-sqlite3';

export class DatabaseServedElsewhere extends Error {}

export interface ServeLock {
  release(): void;
}

export function lockForServing(databaseFile: string): ServeLock {
  const file = `${databaseFile}.serve-lock`;
  const lock = new SQLite(file, { timeout: 0 });
  try {
    // EXCLUSIVE locking mode keeps the lock after the statement, until the connection closes.
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    lock.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new DatabaseServedElsewhere(
        `another coffer server is already serving ${databaseFile} (it holds ${file}). The embedded SQLite ` +
        `database serves one node: stop that server first, or run several nodes on PostgreSQL ` +
        `(--database postgres://…; see docs/deployment.md).`,
      );
    }
    throw err;
  }
  return { release: () => lock.close() };
}
