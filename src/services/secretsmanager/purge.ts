/**
 * Purges secrets whose recovery window has ended. It runs at start and then on a timer, and
 * reads due secrets from the database each time, so a restart loses no pending purge. A
 * failure (one secret, or the whole scan) is logged and retried on the next tick; stopping
 * waits for a run in progress so the database is never closed under it.
 */
import type { Logger } from 'pino';
import type { SecretRepository } from '../../storage/secret-repository.ts';
import { startPeriodicTask, type PeriodicTask, type TaskLease } from '../../periodic-task.ts';
import { arnPlace, noAudit, type AuditSink } from '../../audit/sink.ts';

/** `runOnce` resolves to how many secrets were purged. */
export type PurgeTask = PeriodicTask<number>;

export const PURGE_INTERVAL_MS = 10_000;
const BATCH = 100;

export type PurgeRepository = Pick<SecretRepository, 'dueForPurge' | 'withSecretLock' | 'purge'>;

/** `audit` gets a `DeleteSecret` service event per purged secret, after its transaction committed. */
export function startPurgeTask(repo: PurgeRepository, log: Logger, now: () => number, intervalMs = PURGE_INTERVAL_MS, audit: AuditSink = noAudit, lease?: TaskLease): PurgeTask {
  const purgeOne = async (id: string): Promise<boolean> => {
    try {
      const purged = await repo.withSecretLock(id, async (trx, locked) => {
        // Restored (or already purged) between the scan and the lock: leave it.
        if (!locked || locked.deletion_date === null || locked.deletion_date > now()) return undefined;
        await repo.purge(locked.id, trx);
        log.info({ event: 'SecretPurged', arn: locked.arn }, 'secret purged after its recovery window');
        return locked.arn;
      });
      if (purged === undefined) return false;
      audit.serviceEvent({ name: 'DeleteSecret', service: 'secretsmanager', ...arnPlace(purged), resourceArn: purged });
      return true;
    } catch (err) {
      log.error({ err, secretId: id }, 'purging a secret failed; retrying on the next pass');
      return false;
    }
  };

  const pass = async (stopped: () => boolean): Promise<number> => {
    let purged = 0;
    const failed = new Set<string>();
    // Batches keep memory flat after a long outage; stop when a batch brings nothing new,
    // so secrets that keep failing are not retried in a tight loop.
    for (;;) {
      const due = (await repo.dueForPurge(now(), BATCH + failed.size)).filter((s) => !failed.has(s.id));
      for (const secret of due) {
        if (stopped()) return purged;
        if (await purgeOne(secret.id)) purged++;
        else failed.add(secret.id);
      }
      if (due.length === 0 || due.length < BATCH) return purged;
    }
  };

  return startPeriodicTask(pass, { intervalMs, log, idle: 0, failure: 'purge pass failed', lease });
}
