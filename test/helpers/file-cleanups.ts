/**
 * For test files that start several servers (or make temporary dirs) along the way rather than
 * one per file (suite.ts): everything registered is undone after the file's last test, the last
 * registered first, so a server stops before the directory it used is removed.
 */
import { after } from 'node:test';
import { startServer, type ServerOptions, type TestServer } from './server.ts';

export type Cleanup = () => Promise<void> | void;

export interface FileCleanups {
  /** Push what must be undone after the file's last test. */
  readonly cleanups: Cleanup[];
  /** startServer, with the server destroyed after the file's last test. */
  started(opts?: ServerOptions): Promise<TestServer>;
}

export function fileCleanups(): FileCleanups {
  const cleanups: Cleanup[] = [];
  after(async () => { for (const c of cleanups.reverse()) await c(); });
  return {
    cleanups,
    async started(opts: ServerOptions = {}) {
      const server = await startServer(opts);
      cleanups.push(() => server.destroy());
      return server;
    },
  };
}
