/**
 * The root key: the one secret that is not in the database. It seals KMS key material and
 * every other `_sealed` value (see root-key-ring.ts). It comes from one of three providers
 * (root-key-source.ts): a key file or COFFER_ROOT_KEY; a passphrase through argon2id; or an
 * external KMS that unwraps it at start.
 *
 * A database records every generation of its root key with a sealed check value, so a node
 * started with another key refuses to start instead of failing every read later (or, worse,
 * writing new records under a second key); and, while a rotation runs, with each key
 * wrapped under the other, so a node holding either key reads everything.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { StartupError } from '../config.ts';
import { RootKeyRing } from './root-key-ring.ts';
import { insertFirstGeneration, makeCheck, opensCheck, readRootKeyRows, type RootKeyRow } from './root-key-rows.ts';
import { describeProvider, type ProviderRecord, type RootKeySource } from './root-key-source.ts';
import { createKeyFile, describeFileSource, missingKeyFileMessage, readKeyFile } from './root-key-file.ts';
import { deriveKey, describePassphraseSource, newPassphraseRecord, readPassphrase } from './root-key-passphrase.ts';
import { createKmsRootKey, unwrapKmsRootKey } from './root-key-kms.ts';
import { SEAL_GRACE_MS, syncRing } from './root-key-watch.ts';

export function describeSource(source: RootKeySource): string {
  if (source.provider === 'file') return `the root key from ${describeFileSource(source)}`;
  if (source.provider === 'passphrase') return `the root key derived from the passphrase in ${describePassphraseSource(source)}`;
  return `the root key unwrapped by KMS key ${source.kms.keyId ?? '(recorded)'}${source.kms.endpoint ? ` at ${source.kms.endpoint}` : ''}`;
}

/** A new generation's key from the source, and what to record about it. */
export async function createGeneration(
  source: RootKeySource, generation: number,
): Promise<{ key: Buffer; record: ProviderRecord; createdFile?: string }> {
  if (source.provider === 'file') {
    const existing = readKeyFile(source);
    if (existing) return { key: existing, record: { kind: 'file' } };
    if (!source.file || !source.mayCreateFile) throw new StartupError(missingKeyFileMessage(source.file ?? '(none given)'));
    return { key: createKeyFile(source.file), record: { kind: 'file' }, createdFile: source.file };
  }
  if (source.provider === 'passphrase') {
    const passphrase = readPassphrase(source);
    const record = newPassphraseRecord(passphrase, source);
    return { key: await deriveKey(passphrase, record), record };
  }
  return createKmsRootKey(source, generation);
}

/** The key the source gives for a recorded generation (not yet checked against it). */
export async function obtainKey(source: RootKeySource, row: RootKeyRow): Promise<Buffer> {
  const record = row.provider;
  if (source.provider === 'file') {
    const key = readKeyFile(source);
    if (key) return key;
    throw new StartupError(
      `${source.file} does not exist and ${source.naming.env}ROOT_KEY is not set, but this database was initialized with a root key. ` +
      'Restore that key (as --root-key-file FILE, COFFER_ROOT_KEY or DATA_DIR/root.key); without it no stored secret can be read.',
    );
  }
  if (source.provider === 'passphrase' && record.kind === 'passphrase') return deriveKey(readPassphrase(source), record);
  if (source.provider === 'kms' && record.kind === 'kms') return unwrapKmsRootKey(source, record);
  throw new StartupError(`root key generation ${row.generation} comes from ${describeProvider(record)}, not from the ${source.provider} provider`);
}

/**
 * Loads the root key and proves it is one the database holds, then builds the ring: the
 * generation it opens, plus the other side of a running rotation. A new database gets its
 * first generation (and, at the default location, a new key file); an initialized database
 * with no key given never gets a fresh key silently.
 */
export async function unlockRootKey(source: RootKeySource, db: Kysely<Database>): Promise<RootKeyRing> {
  let rows = await readRootKeyRows(db);
  if (rows.length === 0) {
    const created = await createGeneration(source, 1);
    await insertFirstGeneration(db, created.record, makeCheck(created.key), Date.now());
    // Another node may have initialized the database first: the general path below then
    // finds its record (a passphrase derives again with its salt; KMS decrypts its blob).
    rows = await readRootKeyRows(db);
  }
  const live = rows.filter((r) => r.state !== 'retired');
  const candidates = live.filter((r) => r.provider.kind === source.provider).sort((a, b) => stateOrder(a) - stateOrder(b));
  for (const row of candidates) {
    const key = await obtainKey(source, row);
    if (opensCheck(key, row.keyCheck)) {
      const ring = new RootKeyRing(row.generation, key);
      key.fill(0);
      syncRing(ring, rows);
      ring.freshFor(SEAL_GRACE_MS);
      return ring;
    }
  }
  throw await refusal(source, rows, live);
}

function stateOrder(row: RootKeyRow): number {
  return row.state === 'active' ? 0 : 1;
}

/** Why no live generation opens with the source's key, as an operator can act on it. */
async function refusal(source: RootKeySource, rows: RootKeyRow[], live: RootKeyRow[]): Promise<StartupError> {
  const current = live.find((r) => r.state === 'active') ?? live[0]!;
  for (const row of rows.filter((r) => r.state === 'retired' && r.provider.kind === source.provider)) {
    if (row.provider.kind === 'kms') continue; // its ciphertext is gone with it
    const key = await obtainKey(source, row).catch((err) => { if (err instanceof StartupError) return undefined; throw err; });
    if (key && opensCheck(key, row.keyCheck)) {
      return new StartupError(
        `${describeSource(source)} is root key generation ${row.generation}, which \`coffer root-key rotate\` retired at ` +
        `${new Date(row.retiredAt ?? 0).toISOString()}; this database now uses generation ${current.generation} (${describeProvider(current.provider)}). ` +
        'Start coffer with the new root key.',
      );
    }
  }
  if (current.provider.kind !== source.provider) {
    return new StartupError(
      `this database's root key (generation ${current.generation}) comes from ${describeProvider(current.provider)}, ` +
      `but coffer was started with the ${source.provider} provider. Start it with that root key's options (see docs/root-key.md).`,
    );
  }
  if (source.provider === 'passphrase') {
    return new StartupError(
      `the passphrase from ${describePassphraseSource(source)} does not unlock this database: it is not the passphrase of root key ` +
      `generation ${current.generation}. Start coffer with that passphrase (COFFER_ROOT_KEY_PASSPHRASE or --root-key-passphrase-file FILE).`,
    );
  }
  const which = rows.length === 1 ? 'the root key this database was created with' : `this database's root key (generation ${current.generation})`;
  return new StartupError(
    `${describeSource(source)} is not ${which}, so it cannot open the stored key material. ` +
    'Start coffer with the original root key (--root-key-file FILE, COFFER_ROOT_KEY or DATA_DIR/root.key, or the passphrase or KMS options it was set up with).',
  );
}
