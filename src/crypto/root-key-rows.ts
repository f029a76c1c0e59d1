/**
 * The `root_keys` table as the root key code sees it: one row per generation, its state,
 * its provider record, its check value and, during a rotation, the transitional wraps.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { open, seal, SealError } from './aead.ts';
import type { ProviderRecord } from './root-key-source.ts';

export type GenerationState = 'active' | 'incoming' | 'retired';

export interface RotationProgress {
  /** Values re-sealed so far, by `table.column`. */
  resealed: Record<string, number>;
}

export interface RootKeyRow {
  generation: number;
  state: GenerationState;
  provider: ProviderRecord;
  keyCheck: string;
  wrappedByPrevious: Buffer | null;
  previousWrapped: Buffer | null;
  progress: RotationProgress | null;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
}

type Db = Kysely<Database> | Transaction<Database>;

// The text and additional data of databases created before generations existed, kept so
// their check (moved from meta by migration 0006) still opens.
const CHECK_AAD = 'coffer-root-key-check';
const CHECK_TEXT = 'coffer root key check v1';

export function makeCheck(key: Buffer): string {
  return seal(key, Buffer.from(CHECK_TEXT, 'utf8'), CHECK_AAD).toString('base64');
}

export function opensCheck(key: Buffer, check: string): boolean {
  try {
    return open(key, Buffer.from(check, 'base64'), CHECK_AAD).toString('utf8') === CHECK_TEXT;
  } catch (err) {
    if (err instanceof SealError) return false;
    throw err;
  }
}

const wrapAad = (wrapped: number, under: number) => `coffer-root-key:${wrapped}:under:${under}`;

/** Generation `wrapped`'s key sealed under generation `under`'s. */
export function wrapKey(key: Buffer, generation: number, underKey: Buffer, under: number): Buffer {
  return seal(underKey, key, wrapAad(generation, under));
}

export function unwrapKey(wrapped: Buffer, generation: number, underKey: Buffer, under: number): Buffer {
  return open(underKey, wrapped, wrapAad(generation, under));
}

export async function readRootKeyRows(db: Db): Promise<RootKeyRow[]> {
  const rows = await db.selectFrom('root_keys').selectAll().orderBy('generation').execute();
  return rows.map((r) => ({
    generation: Number(r.generation),
    state: r.state as GenerationState,
    provider: JSON.parse(r.provider) as ProviderRecord,
    keyCheck: r.key_check,
    wrappedByPrevious: r.wrapped_by_previous ? Buffer.from(r.wrapped_by_previous) : null,
    previousWrapped: r.previous_wrapped ? Buffer.from(r.previous_wrapped) : null,
    progress: r.progress ? JSON.parse(r.progress) as RotationProgress : null,
    createdAt: Number(r.created_at),
    activatedAt: r.activated_at === null ? null : Number(r.activated_at),
    retiredAt: r.retired_at === null ? null : Number(r.retired_at),
  }));
}

/** A new database's first generation, unless another node stored one first. */
export async function insertFirstGeneration(db: Db, provider: ProviderRecord, keyCheck: string, now: number): Promise<void> {
  await db.insertInto('root_keys').values({
    generation: 1, state: 'active', provider: JSON.stringify(provider), key_check: keyCheck,
    wrapped_by_previous: null, previous_wrapped: null, progress: null, created_at: now, activated_at: now, retired_at: null,
  }).onConflict((oc) => oc.column('generation').doNothing()).execute();
}

/** A rotation's target; fails (primary key) when another rotation introduced it first. */
export async function insertIncoming(db: Db, row: {
  generation: number; provider: ProviderRecord; keyCheck: string; wrappedByPrevious: Buffer; previousWrapped: Buffer; now: number;
}): Promise<void> {
  await db.insertInto('root_keys').values({
    generation: row.generation, state: 'incoming', provider: JSON.stringify(row.provider), key_check: row.keyCheck,
    wrapped_by_previous: row.wrappedByPrevious, previous_wrapped: row.previousWrapped,
    progress: JSON.stringify({ resealed: {} } satisfies RotationProgress), created_at: row.now, activated_at: null, retired_at: null,
  }).execute();
}

export async function saveProgress(db: Db, generation: number, progress: RotationProgress): Promise<void> {
  await db.updateTable('root_keys').set({ progress: JSON.stringify(progress) }).where('generation', '=', generation).execute();
}

/**
 * Ends a rotation: the incoming generation becomes the only active one, earlier ones are
 * retired, and the transitional wraps and the old KMS ciphertexts are deleted, so the old
 * root key opens nothing that remains.
 */
export async function finishRotation(db: Kysely<Database>, generation: number, now: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const earlier = await trx.selectFrom('root_keys').select(['generation', 'provider'])
      .where('generation', '<', generation).where('state', '!=', 'retired').execute();
    for (const row of earlier) {
      const provider = JSON.parse(row.provider) as ProviderRecord;
      if (provider.kind === 'kms') delete provider.ciphertextBlob;
      await trx.updateTable('root_keys')
        .set({ state: 'retired', retired_at: now, provider: JSON.stringify(provider), wrapped_by_previous: null, previous_wrapped: null, progress: null })
        .where('generation', '=', row.generation).execute();
    }
    await trx.updateTable('root_keys')
      .set({ state: 'active', activated_at: now, wrapped_by_previous: null, previous_wrapped: null, progress: null })
      .where('generation', '=', generation).where('state', '=', 'incoming').execute();
  });
}
