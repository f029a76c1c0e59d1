/**
 * Root key rotation, run by `coffer root-key rotate` beside running servers:
 *
 * 1. Add the new generation as `incoming`, with each key wrapped under the other, so every
 *    process holding either key can read values under both (servers learn it within a
 *    second, see root-key-watch.ts).
 * 2. Wait `SEAL_GRACE_MS`: by then every process that can still seal has learned the new
 *    generation and seals under it.
 * 3. Re-wrap every `_sealed` value not yet under the new generation, in batches, each batch
 *    one transaction with its progress, so an interrupted rotation resumes where it stopped.
 *    A value changed meanwhile by a server is left to the next batch (compare-and-set).
 * 4. Check that nothing is left under an older generation (a pass again if something was
 *    written during the sweep), then make the new generation the only active one and delete
 *    the transitional wraps: the old root key opens nothing that remains.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Dialect } from '../storage/database.ts';
import { StartupError, UsageError } from '../config.ts';
import { SealError } from './aead.ts';
import { isLegacySealed, ringHeader, type RootKeyRing } from './root-key-ring.ts';
import {
  finishRotation, insertIncoming, makeCheck, opensCheck, readRootKeyRows, saveProgress, wrapKey,
  type RotationProgress, type RootKeyRow,
} from './root-key-rows.ts';
import { describeProvider, type RootKeySource } from './root-key-source.ts';
import { createGeneration, describeSource, obtainKey } from './root-key.ts';
import { POLL_MS, SEAL_GRACE_MS } from './root-key-watch.ts';
import { sealedColumnName, sealedColumns, type SealedColumn } from './sealed-columns.ts';
import { legacyAad } from './legacy-sealed.ts';

export interface RotateOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Unlocked with the current root key (the options `serve` runs with). */
  ring: RootKeyRing;
  /** The new root key; undefined resumes the rotation in progress. */
  next?: RootKeySource;
  batchSize: number;
  print(line: string): void;
  /** After each committed batch, with how many values this run has re-sealed. */
  afterBatch?(resealedThisRun: number): void;
  graceMs?: number;
}

export interface RotateResult {
  generation: number;
  retired: number[];
  resealed: number;
  /** A new key file the rotation created. */
  createdFile?: string;
}

const MAX_PASSES = 5;

export async function rotateRootKey(o: RotateOptions): Promise<RotateResult> {
  // This process seals only re-sealed values, under the generation it is introducing.
  o.ring.freshFor(Infinity);
  const started = await startOrResume(o);
  const { incoming, createdFile } = started;
  const gen = incoming.generation;
  o.ring.sealWith(gen);
  const retired = o.ring.generations().filter((g) => g !== gen);

  const waitMs = incoming.createdAt + (o.graceMs ?? SEAL_GRACE_MS) - Date.now();
  if (waitMs > 0) {
    o.print(`waiting ${Math.ceil(waitMs / 1000)} s, until no process can still be sealing under an older generation`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }

  const columns = await sealedColumns(o.db, o.dialect);
  const header = ringHeader(gen);
  const progress: RotationProgress = incoming.progress ?? { resealed: {} };
  const before = Object.values(progress.resealed).reduce((a, b) => a + b, 0);
  const remaining = new Map<string, number>();
  for (const c of columns) remaining.set(sealedColumnName(c), await countOld(o.db, c, header));
  const total = [...remaining.values()].reduce((a, b) => a + b, 0);
  o.print(`${total} values to re-seal in ${columns.length} columns (${columns.map(sealedColumnName).join(', ')})` +
    (before > 0 ? `; ${before} were re-sealed before the interruption` : ''));

  let thisRun = 0;
  for (let pass = 1; ; pass++) {
    for (const column of columns) {
      const name = sealedColumnName(column);
      let doneHere = 0;
      let fruitless = 0;
      for (;;) {
        const batch = await selectOld(o.db, column, header, o.batchSize);
        if (batch.length === 0) break;
        const changed = await o.db.transaction().execute(async (trx) => {
          let n = 0;
          for (const row of batch) if (await resealRow(trx, o.ring, column, row, gen)) n++;
          progress.resealed[name] = (progress.resealed[name] ?? 0) + n;
          await saveProgress(trx, gen, progress);
          return n;
        });
        // Rows a server rewrote between our read and our write come back in the next batch;
        // a batch that never lands means something keeps rewriting them.
        fruitless = changed === 0 ? fruitless + 1 : 0;
        if (fruitless >= 10) throw new Error(`${name}: values keep changing under the rotation; try again`);
        thisRun += changed;
        doneHere += changed;
        o.print(`  ${name}: ${doneHere} of ${remaining.get(name) ?? doneHere} re-sealed (${before + thisRun} of ${before + total} in all)`);
        o.afterBatch?.(thisRun);
      }
    }
    let left = 0;
    for (const c of columns) left += await countOld(o.db, c, header);
    if (left === 0) break;
    if (pass >= MAX_PASSES) {
      throw new Error(`${left} values are still sealed under an older root key generation after ${pass} passes; is a coffer older than root key generations writing to this database?`);
    }
    o.print(`${left} values were written under an older generation during the pass; re-sealing them`);
    for (const c of columns) remaining.set(sealedColumnName(c), await countOld(o.db, c, header));
  }

  await finishRotation(o.db, gen, Date.now());
  for (const g of retired) o.ring.forget(g);
  o.print(`done: every sealed value is under root key generation ${gen} (${describeProvider(incoming.provider)}); ` +
    `generation${retired.length > 1 ? 's' : ''} ${retired.join(', ')} retired: the old root key is no longer needed`);
  return { generation: gen, retired, resealed: before + thisRun, createdFile };
}

async function startOrResume(o: RotateOptions): Promise<{ incoming: RootKeyRow; createdFile?: string }> {
  const rows = await readRootKeyRows(o.db);
  const incoming = rows.find((r) => r.state === 'incoming');
  if (incoming) {
    if (o.next) {
      const key = o.next.provider === incoming.provider.kind ? await obtainKey(o.next, incoming) : undefined;
      if (!key || !opensCheck(key, incoming.keyCheck)) {
        throw new StartupError(
          `a rotation to root key generation ${incoming.generation} (${describeProvider(incoming.provider)}) is in progress and ` +
          `${describeSource(o.next)} is not its key. Finish that rotation first: run coffer root-key rotate again without the --new-… options.`,
        );
      }
      key.fill(0);
    }
    o.print(`resuming the rotation to root key generation ${incoming.generation} (${describeProvider(incoming.provider)}), ` +
      `started ${new Date(incoming.createdAt).toISOString()}`);
    return { incoming };
  }
  if (!o.next) {
    throw new UsageError('no rotation is in progress: name the new root key with --new-root-key-file FILE, ' +
      '--new-root-key-provider passphrase (and COFFER_NEW_ROOT_KEY_PASSPHRASE or --new-root-key-passphrase-file FILE), ' +
      'or --new-root-key-provider kms --new-root-key-kms-key-id KEY');
  }
  const active = rows.find((r) => r.state === 'active');
  if (!active || !o.ring.has(active.generation)) throw new StartupError('this database has no active root key generation that the given root key opens');
  const generation = Math.max(...rows.map((r) => r.generation)) + 1;
  const created = await createGeneration(o.next, generation);
  try {
    for (const g of o.ring.generations()) {
      if (o.ring.keyOf(g).equals(created.key)) throw new StartupError(`${describeSource(o.next)} is the current root key; a rotation needs a new one`);
    }
    for (const r of rows) {
      if (r.state === 'retired' && opensCheck(created.key, r.keyCheck)) {
        throw new StartupError(`${describeSource(o.next)} is root key generation ${r.generation}, retired by an earlier rotation; a rotation needs a new key`);
      }
    }
    const activeKey = o.ring.keyOf(active.generation);
    try {
      await insertIncoming(o.db, {
        generation, provider: created.record, keyCheck: makeCheck(created.key),
        wrappedByPrevious: wrapKey(created.key, generation, activeKey, active.generation),
        previousWrapped: wrapKey(activeKey, active.generation, created.key, generation),
        now: Date.now(),
      });
    } catch (err) {
      if ((await readRootKeyRows(o.db)).some((r) => r.generation === generation)) {
        throw new StartupError(`another coffer root-key rotate started a rotation to generation ${generation} at the same time; run coffer root-key rotate (without --new-… options) to resume it`);
      }
      throw err;
    }
    o.ring.add(generation, created.key);
  } finally {
    created.key.fill(0);
  }
  if (created.createdFile) o.print(`created the new root key file ${created.createdFile} (mode 0600)`);
  o.print(`added root key generation ${generation} (${describeProvider(created.record)}); ` +
    `servers on this database learn it within ${POLL_MS / 1000} s and seal new values under it`);
  const incomingRow = (await readRootKeyRows(o.db)).find((r) => r.generation === generation)!;
  return { incoming: incomingRow, createdFile: created.createdFile };
}

type Row = Record<string, unknown> & { sealed: Uint8Array };

const notUnder = (c: SealedColumn, header: Buffer) =>
  sql`${sql.ref(c.column)} is not null and substr(${sql.ref(c.column)}, 1, ${header.length}) <> ${header}`;

async function countOld(db: Kysely<Database>, c: SealedColumn, header: Buffer): Promise<number> {
  const res = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(c.table)} where ${notUnder(c, header)}`.execute(db);
  return Number(res.rows[0]?.n ?? 0);
}

async function selectOld(db: Kysely<Database>, c: SealedColumn, header: Buffer, limit: number): Promise<Row[]> {
  const keys = sql.join(c.key.map((k) => sql.ref(k)));
  const res = await sql<Row>`select ${keys}, ${sql.ref(c.column)} as sealed from ${sql.table(c.table)}
    where ${notUnder(c, header)} order by ${keys} limit ${limit}`.execute(db);
  return res.rows;
}

/** Re-seals one row's value under `gen`, unless it changed since it was read. */
async function resealRow(trx: Transaction<Database>, ring: RootKeyRing, c: SealedColumn, row: Row, gen: number): Promise<boolean> {
  const old = Buffer.from(row.sealed);
  const key = Object.fromEntries(c.key.map((k) => [k, row[k]]));
  const where = `${sealedColumnName(c)} (${c.key.map((k) => `${k}=${String(row[k])}`).join(', ')})`;
  let next: Buffer;
  try {
    if (isLegacySealed(old)) {
      const aad = await legacyAad(trx, sealedColumnName(c), key);
      if (aad === undefined) throw new SealError('a format 1 value whose additional data is unknown');
      const plain = ring.open(old, aad);
      try {
        next = ring.seal(plain, aad);
      } finally {
        plain.fill(0);
      }
    } else {
      next = ring.rewrap(old, gen);
    }
  } catch (err) {
    if (err instanceof SealError) throw new Error(`cannot re-seal ${where}: ${err.message}`);
    throw err;
  }
  const conditions = sql.join([...c.key.map((k) => sql`${sql.ref(k)} = ${row[k]}`), sql`${sql.ref(c.column)} = ${old}`], sql` and `);
  const res = await sql`update ${sql.table(c.table)} set ${sql.ref(c.column)} = ${next} where ${conditions}`.execute(trx);
  return Number(res.numAffectedRows ?? 0n) > 0;
}
