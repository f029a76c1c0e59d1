/**
 * The skeleton of coffer's background jobs (secret purge, KMS key maintenance, scheduled
 * rotations): a pass at start and then on a timer, never two passes at once on one node, a
 * failed pass logged and retried on the next tick, and `stop()` waiting for a pass in progress
 * so the database is never closed under it. Each job reads what is due from the database on
 * every pass, so a restart loses nothing.
 *
 * With several nodes on one database a task may take a lease (src/cluster/leases.ts): a pass
 * runs only on the node holding it, so each job runs once across the cluster; a node that
 * dies is replaced once its lease expires (three intervals), one that stops hands it back.
 */
import type { Logger } from 'pino';
import type { Leases } from './cluster/leases.ts';

export interface PeriodicTask<T> {
  /** One pass; resolves to its result, or to `idle` if a pass is already running or the task stopped. */
  runOnce(): Promise<T>;
  /** No further passes; resolves once a pass in progress has finished. */
  stop(): Promise<void>;
}

export interface PeriodicTaskOptions<T> {
  intervalMs: number;
  log: Logger;
  /** What a pass that could not run answers (`0`, `{ deleted: 0 }`…). */
  idle: T;
  /** Logged when a whole pass fails: "purge pass failed". */
  failure: string;
  /** Run a pass only while holding this lease. */
  lease?: TaskLease;
}

export interface TaskLease {
  leases: Leases;
  /** One name per job: `secret-purge`, `kms-key-maintenance`. */
  name: string;
}

/** `pass` receives `stopped()`, to check between items so stopping is prompt. */
export function startPeriodicTask<T>(pass: (stopped: () => boolean) => Promise<T>, options: PeriodicTaskOptions<T>): PeriodicTask<T> {
  let current: Promise<T> | undefined;
  let stopped = false;
  const isStopped = () => stopped;

  const runOnce = (): Promise<T> => {
    if (current || stopped) return Promise.resolve(options.idle);
    const lease = options.lease;
    // Renewed every pass; three missed passes and another node takes over.
    const leased = lease ? lease.leases.acquire(lease.name, options.intervalMs * 3) : Promise.resolve(true);
    current = leased.then((held) => (held && !stopped ? pass(isStopped) : options.idle)).finally(() => { current = undefined; });
    return current;
  };
  const tick = () => {
    runOnce().catch((err) => options.log.error({ err }, `${options.failure}; retrying on the next pass`));
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  tick();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await current?.catch(() => undefined);
      // A clean stop hands the job to another node at once (a rolling restart loses no time).
      await options.lease?.leases.release(options.lease.name).catch((err) => options.log.warn({ err }, 'releasing a task lease failed; it expires instead'));
    },
  };
}
