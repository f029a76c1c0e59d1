/**
 * What KMS does on its own, as a periodic task like the secret purge: deletes keys whose
 * deletion window has ended, and rotates Enabled keys whose automatic rotation is due
 * (a disabled key is rotated once re-enabled, if its date has passed meanwhile, as in AWS).
 * Due keys are read from the database on every pass, so a restart loses nothing; each key is
 * re-checked under its lock, so several nodes never delete or rotate one key twice.
 */
import type { Logger } from 'pino';
import type { KeyStore } from './key-store.ts';
import type { KeyWriter } from './key-writes.ts';
import { startPeriodicTask, type PeriodicTask, type TaskLease } from '../../periodic-task.ts';
import { noAudit, type AuditSink } from '../../audit/sink.ts';

/** `runOnce` resolves to how many keys were deleted and rotated. */
export type KeyMaintenanceTask = PeriodicTask<{ deleted: number; rotated: number }>;

export const KEY_MAINTENANCE_INTERVAL_MS = 10_000;
const BATCH = 100;

/** `audit` gets a `DeleteKey` service event per key deleted at the end of its waiting period. */
export function startKeyMaintenance(keys: KeyStore, writer: KeyWriter, log: Logger, now: () => number, intervalMs = KEY_MAINTENANCE_INTERVAL_MS, audit: AuditSink = noAudit, lease?: TaskLease): KeyMaintenanceTask {
  const db = keys.database;

  const deleteDue = async (stopped: () => boolean): Promise<number> => {
    let deleted = 0;
    const due = await db.selectFrom('kms_keys').select(['key_id', 'arn', 'account_id', 'region'])
      .where('key_state', '=', 'PendingDeletion').where('deletion_date', '<=', now()).limit(BATCH).execute();
    for (const { key_id, arn, account_id, region } of due) {
      if (stopped()) break;
      try {
        const gone = await writer.deleteKey(key_id, (row) => row.key_state === 'PendingDeletion' && row.deletion_date !== null && Number(row.deletion_date) <= now());
        if (gone) {
          deleted++;
          log.info({ event: 'KmsKeyDeleted', keyId: key_id }, 'KMS key deleted after its waiting period');
          audit.serviceEvent({ name: 'DeleteKey', service: 'kms', accountId: account_id, region, resourceArn: arn });
        }
      } catch (err) {
        log.error({ err, keyId: key_id }, 'deleting a KMS key failed; retrying on the next pass');
      }
    }
    return deleted;
  };

  const rotateDue = async (stopped: () => boolean): Promise<number> => {
    let rotated = 0;
    const due = await db.selectFrom('kms_keys').select('key_id')
      .where('rotation_enabled', '=', 1).where('key_state', '=', 'Enabled').where('next_rotation_at', '<=', now()).limit(BATCH).execute();
    for (const { key_id } of due) {
      if (stopped()) break;
      try {
        let skipped = false;
        await writer.rotate(key_id, 'AUTOMATIC', now(), async (row) => {
          // Changed since the scan (disabled, rotation turned off, rotated by another node).
          if (row.rotation_enabled !== 1 || row.key_state !== 'Enabled' || row.next_rotation_at === null || Number(row.next_rotation_at) > now()) {
            skipped = true;
            throw new NotDue();
          }
        });
        if (!skipped) {
          rotated++;
          log.info({ event: 'KmsKeyRotated', keyId: key_id }, 'KMS key material rotated automatically');
        }
      } catch (err) {
        if (err instanceof NotDue) continue;
        log.error({ err, keyId: key_id }, 'rotating a KMS key failed; retrying on the next pass');
      }
    }
    return rotated;
  };

  return startPeriodicTask(
    async (stopped) => ({ deleted: await deleteDue(stopped), rotated: await rotateDue(stopped) }),
    { intervalMs, log, idle: { deleted: 0, rotated: 0 }, failure: 'KMS key maintenance failed', lease },
  );
}

class NotDue extends Error {}
