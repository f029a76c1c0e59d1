/**
 * Named leases in the database (`cluster_leases`, migration 0013), so a background job runs
 * on one node at a time: the holder renews its lease on every pass; another node takes it
 * only after it expired (its holder died or stopped renewing), or at once when the holder
 * released it on a clean stop. Expiry compares the nodes' clocks: keep them in sync (NTP).
 *
 * A lease only keeps nodes from doing the same work twice. What each job changes is still
 * decided under the row lock of what it changes (a purge re-checks the deletion date, a key
 * deletion re-checks the state), so even two holders at once could not purge twice.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

export interface Leases {
  /** Takes or renews `name` for `ttlMs`; false when another node holds it. */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Hands `name` back if this node holds it. */
  release(name: string): Promise<void>;
}

export function databaseLeases(db: Kysely<Database>, nodeId: string, now: () => number = Date.now): Leases {
  return {
    async acquire(name, ttlMs) {
      const at = now();
      const renewed = await db.updateTable('cluster_leases').set({ holder: nodeId, expires_at: at + ttlMs })
        .where('name', '=', name)
        .where((eb) => eb.or([eb('holder', '=', nodeId), eb('expires_at', '<=', at)]))
        .executeTakeFirst();
      if (Number(renewed.numUpdatedRows) > 0) return true;
      const inserted = await db.insertInto('cluster_leases').values({ name, holder: nodeId, expires_at: at + ttlMs })
        .onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async release(name) {
      await db.deleteFrom('cluster_leases').where('name', '=', name).where('holder', '=', nodeId).execute();
    },
  };
}
