/**
 * Purges secrets whose recovery window has ended. It runs on a timer and at start, and
 * reads due secrets from the database each time, so a restart loses no pending purge.
 */
import type { Logger } from 'pino';
import type { SecretRepository } from '../../storage/secret-repository.ts';

export interface PurgeTask {
  runOnce(): Promise<number>;
  stop(): void;
}

export function startPurgeTask(repo: SecretRepository, log: Logger, now: () => number, intervalMs = 10_000): PurgeTask {
  let running = false;
  const runOnce = async () => {
    if (running) return 0;
    running = true;
    try {
      let purged = 0;
      for (const secret of await repo.dueForPurge(now())) {
        await repo.withSecretLock(secret.id, async (trx, locked) => {
          // Restored (or already purged) between the scan and the lock: leave it.
          if (!locked || locked.deletion_date === null || locked.deletion_date > now()) return;
          await repo.purge(locked.id, trx);
          purged++;
          log.info({ event: 'SecretPurged', arn: locked.arn }, 'secret purged after its recovery window');
        });
      }
      return purged;
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => { runOnce().catch((err) => log.error({ err }, 'purge failed')); }, intervalMs);
  timer.unref();
  void runOnce().catch((err) => log.error({ err }, 'purge failed'));
  return { runOnce, stop: () => clearInterval(timer) };
}
