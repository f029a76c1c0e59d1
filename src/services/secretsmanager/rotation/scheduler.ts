/**
 * Starts rotations whose time has come. Like the purge task it reads what is due from the
 * database on every pass (`secrets.rotation_due_at`), so a restart loses no rotation, and a
 * window missed while coffer was down is caught up once: after that rotation the next due
 * time is counted from it. Several nodes may scan at once; the driver claims each secret under
 * its row lock and leases it, so a rotation starts once.
 *
 * Tests move time by moving `rotation_due_at` into the past with SQL; nothing here knows.
 */
import type { Logger } from 'pino';
import type { RotationDriver } from './driver.ts';
import type { SecretRepository } from '../../../storage/secret-repository.ts';
import { startPeriodicTask, type PeriodicTask } from '../../../periodic-task.ts';

/** `runOnce` resolves to how many rotations a scan started. */
export type RotationScheduler = PeriodicTask<number>;

export const ROTATION_SCAN_INTERVAL_MS = 5_000;
const BATCH = 50;

export function startRotationScheduler(
  repo: Pick<SecretRepository, 'db'>, driver: RotationDriver, log: Logger, now: () => number, intervalMs = ROTATION_SCAN_INTERVAL_MS,
): RotationScheduler {
  const pass = async (stopped: () => boolean): Promise<number> => {
    const due = await repo.db.selectFrom('secrets').select('id')
      .where('rotation_enabled', '=', 1).where('deletion_date', 'is', null)
      .where('rotation_due_at', 'is not', null).where('rotation_due_at', '<=', now())
      .orderBy('rotation_due_at').limit(BATCH).execute();
    let started = 0;
    for (const { id } of due) {
      if (stopped()) break;
      try {
        if (await driver.startDue(id)) started++;
      } catch (err) {
        log.error({ err, secretId: id }, 'starting a scheduled rotation failed; retrying on the next scan');
      }
    }
    return started;
  };

  return startPeriodicTask(pass, { intervalMs, log, idle: 0, failure: 'rotation scan failed' });
}
