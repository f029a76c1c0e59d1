/**
 * How a running process follows root key rotations: it reads `root_keys` every second,
 * learns a rotation's incoming generation by unwrapping it with a key it holds, seals new
 * values under it from then on, and forgets retired generations. A rotation waits
 * `SEAL_GRACE_MS` after it adds a generation before re-wrapping anything; a ring that has
 * not refreshed for that long refuses to seal, so no process can still be sealing under the
 * old generation when the rotation checks that none remain.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { readRootKeyRows, opensCheck, unwrapKey, type RootKeyRow } from './root-key-rows.ts';
import type { RootKeyRing } from './root-key-ring.ts';

export const POLL_MS = 1_000;
export const SEAL_GRACE_MS = 10_000;

/**
 * Brings the ring in line with the rows: adds every non-retired generation it can unwrap
 * with a key it holds (the incoming one under the active one, or the reverse for a node
 * started with the new key mid-rotation), seals under the newest, forgets retired ones.
 */
export function syncRing(ring: RootKeyRing, rows: RootKeyRow[]): void {
  const live = rows.filter((r) => r.state !== 'retired');
  for (const row of live) {
    const previous = live.find((r) => r.generation === row.generation - 1);
    if (!ring.has(row.generation) && row.wrappedByPrevious && previous && ring.has(previous.generation)) {
      learn(ring, row, unwrapKey(row.wrappedByPrevious, row.generation, ring.keyOf(previous.generation), previous.generation));
    }
    if (previous && !ring.has(previous.generation) && row.previousWrapped && ring.has(row.generation)) {
      learn(ring, previous, unwrapKey(row.previousWrapped, previous.generation, ring.keyOf(row.generation), row.generation));
    }
  }
  const newest = live.filter((r) => ring.has(r.generation)).at(-1);
  if (newest) ring.sealWith(newest.generation);
  for (const row of rows) if (row.state === 'retired') ring.forget(row.generation);
}

function learn(ring: RootKeyRing, row: RootKeyRow, key: Buffer): void {
  // A wrap that opened but holds another key would be a bug or tampering; never seal with it.
  if (!opensCheck(key, row.keyCheck)) throw new Error(`root key generation ${row.generation} unwrapped to a key its check refuses`);
  ring.add(row.generation, key);
  key.fill(0);
}

export async function refreshRing(ring: RootKeyRing, db: Kysely<Database>): Promise<void> {
  syncRing(ring, await readRootKeyRows(db));
  ring.freshFor(SEAL_GRACE_MS);
}

export interface RingWatch {
  stop(): Promise<void>;
}

/** Refreshes the ring every `POLL_MS`, and at once when a value names a generation it lacks. */
export function watchRing(ring: RootKeyRing, db: Kysely<Database>, onError: (err: unknown) => void, pollMs = POLL_MS): RingWatch {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = refreshRing(ring, db).catch(onError).finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, pollMs);
  timer.unref();
  ring.onUnknownGeneration = () => tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      ring.onUnknownGeneration = undefined;
      await running;
    },
  };
}
