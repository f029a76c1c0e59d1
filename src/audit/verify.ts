/**
 * `coffer audit verify`: re-derives every hash of every chain, every seal and every digest
 * signature, and says precisely what is wrong: an event changed (its hash, or its lookup
 * columns, no longer match its content, or a seal no longer matches the chain), removed (a
 * gap in a chain, a broken link, a chain that ends inside a written batch, or an event a
 * digest signed is gone), reordered (an event's predecessor is found elsewhere in its chain),
 * or a digest removed, changed or forged.
 */
import type { AuditEventTable } from '../storage/schema.ts';
import { resourcesOfRow, type AuditStore, type StoredEvent } from './audit-store.ts';
import { digestKey, eventHash, FIRST_DIGEST, genesisHash, parseSeal, sealMac, signDigest } from './chain.ts';
import type { CloudTrailEvent } from './event.ts';

export type ProblemKind = 'changed' | 'removed' | 'reordered' | 'digest';

export interface Problem {
  kind: ProblemKind;
  chainId?: string;
  seq?: number;
  eventId?: string;
  message: string;
}

export interface VerifyReport {
  events: number;
  chains: number;
  digests: number;
  problems: Problem[];
  /** Not errors: events after their chain's last digest, seals and digests under a forgotten root key. */
  notes: string[];
}

export interface DigestKeys {
  has(generation: number): boolean;
  keyOf(generation: number): Buffer;
}

interface ChainRow { seq: number; hash: string; prev: string; eventId: string; seal: string | null }

export async function verifyTrail(store: AuditStore, keys: DigestKeys): Promise<VerifyReport> {
  const problems: Problem[] = [];
  const notes: string[] = [];
  const chains = new Map<string, ChainRow[]>();
  let events = 0;
  for await (const batch of store.allEvents()) {
    for (const stored of batch) {
      events++;
      checkContent(stored, problems);
      const r = stored.row;
      const rows = chains.get(r.chain_id) ?? [];
      rows.push({ seq: r.seq, hash: r.hash, prev: r.prev_hash, eventId: r.event_id, seal: r.seal });
      chains.set(r.chain_id, rows);
    }
  }
  const sealed = new Set<string>();
  for (const [chainId, rows] of chains) {
    checkLinks(chainId, rows, problems);
    if (checkSeals(chainId, rows, keys, problems, notes)) sealed.add(chainId);
  }

  const digests = await store.digests();
  const lastDigested = new Map<string, number>();
  let prevSignature = FIRST_DIGEST;
  let expected = 1;
  for (const d of digests) {
    if (d.digest_seq !== expected) {
      problems.push({ kind: 'digest', message: `digest ${expected}${d.digest_seq - 1 > expected ? `–${d.digest_seq - 1}` : ''} removed (digests jump from ${expected - 1} to ${d.digest_seq})` });
    } else if (d.prev_signature !== prevSignature) {
      problems.push({ kind: 'digest', message: `digest ${d.digest_seq} does not link to digest ${d.digest_seq - 1}: digests changed or reordered` });
    }
    expected = d.digest_seq + 1;
    prevSignature = d.signature;
    if (!keys.has(d.key_generation)) {
      notes.push(`digest ${d.digest_seq} is signed under root key generation ${d.key_generation}, which this root key no longer holds: its signature was not checked`);
    } else {
      const sig = signDigest(digestKey(keys.keyOf(d.key_generation)), {
        digestSeq: d.digest_seq, chainId: d.chain_id, seq: d.seq, headHash: d.head_hash, createdAt: d.created_at,
        prevSignature: d.prev_signature, keyGeneration: d.key_generation,
      });
      if (sig !== d.signature) problems.push({ kind: 'digest', message: `digest ${d.digest_seq} has a wrong signature: the digest was changed or forged` });
    }
    const row = chains.get(d.chain_id)?.find((r) => r.seq === d.seq);
    if (!row) {
      problems.push({ kind: 'removed', chainId: d.chain_id, seq: d.seq, message: `event ${short(d.chain_id)}/${d.seq}, signed by digest ${d.digest_seq}, is missing: events removed` });
    } else if (row.hash !== d.head_hash) {
      problems.push({ kind: 'changed', chainId: d.chain_id, seq: d.seq, eventId: row.eventId, message: `event ${short(d.chain_id)}/${d.seq} (${row.eventId}) is not the one digest ${d.digest_seq} signed: the chain up to it was rewritten` });
    }
    lastDigested.set(d.chain_id, Math.max(lastDigested.get(d.chain_id) ?? 0, d.seq));
  }
  for (const [chainId, rows] of chains) {
    const last = rows.at(-1)!.seq;
    const signed = lastDigested.get(chainId) ?? 0;
    // A sealed chain's events are all signed; only whole batches cut off its end would not show.
    const after = sealed.has(chainId) ? 'sealed batch by batch; whole batches cut off the end would not show' : 'not yet signed';
    if (signed === 0) notes.push(`chain ${short(chainId)}: no digest signs any of its ${rows.length} events yet (a node that stopped without a clean shutdown, or one still running; ${after})`);
    else if (last > signed) notes.push(`chain ${short(chainId)}: events ${signed + 1}–${last} come after its last digest (${after})`);
  }
  return { events, chains: chains.size, digests: digests.length, problems, notes };
}

const short = (chainId: string) => chainId.slice(0, 8);

/** The event's own hash, and the lookup columns and resources against its JSON. */
function checkContent({ row }: StoredEvent, problems: Problem[]): void {
  const where = { chainId: row.chain_id, seq: row.seq, eventId: row.event_id };
  const name = `event ${short(row.chain_id)}/${row.seq} (${row.event_id})`;
  if (eventHash(row.prev_hash, row.chain_id, row.event) !== row.hash) {
    problems.push({ kind: 'changed', ...where, message: `${name} was changed: its hash does not match its content` });
    return;
  }
  let e: CloudTrailEvent;
  try {
    e = JSON.parse(row.event) as CloudTrailEvent;
  } catch {
    problems.push({ kind: 'changed', ...where, message: `${name} is not JSON` });
    return;
  }
  const columns: [keyof AuditEventTable, unknown][] = [
    ['event_id', e.eventID], ['event_name', e.eventName], ['event_source', e.eventSource], ['account_id', e.recipientAccountId],
    ['region', e.awsRegion], ['read_only', e.readOnly ? 1 : 0],
  ];
  const differ: string[] = columns.filter(([col, v]) => row[col] !== v).map(([col]) => col);
  if (Math.floor(row.event_time / 1000) !== Math.floor(Date.parse(e.eventTime) / 1000)) differ.push('event_time');
  if (row.access_key_id !== null && row.access_key_id !== (e.userIdentity.accessKeyId ?? null)) differ.push('access_key_id');
  const listed = (e.resources ?? []).map((r) => `${r.type} ${r.ARN ?? r.name}`).sort().join('\n');
  let indexed: string;
  try {
    indexed = resourcesOfRow(row).map(([type, name, arn]) => `${type} ${arn ?? name}`).sort().join('\n');
  } catch {
    indexed = '(not JSON)';
  }
  if (listed !== indexed) differ.push('resources');
  if (differ.length > 0) problems.push({ kind: 'changed', ...where, message: `${name} was changed: ${differ.join(', ')} no longer match its content` });
}

function checkLinks(chainId: string, rows: ChainRow[], problems: Problem[]): void {
  const bySeqOfHash = new Map(rows.map((r) => [r.hash, r.seq]));
  let expectedSeq = 1;
  let prevHash = genesisHash(chainId);
  for (const r of rows) {
    const name = `event ${short(chainId)}/${r.seq} (${r.eventId})`;
    if (r.seq !== expectedSeq) {
      const range = r.seq - 1 > expectedSeq ? `${expectedSeq}–${r.seq - 1}` : `${expectedSeq}`;
      problems.push({ kind: 'removed', chainId, seq: expectedSeq, message: `chain ${short(chainId)}: event${r.seq - 1 > expectedSeq ? 's' : ''} ${range} removed (before ${name})` });
    } else if (r.prev !== prevHash) {
      const from = bySeqOfHash.get(r.prev);
      if (from !== undefined) {
        problems.push({ kind: 'reordered', chainId, seq: r.seq, eventId: r.eventId, message: `${name} was reordered: it was written after event ${from}, but now follows event ${r.seq - 1}` });
      } else if (r.prev === genesisHash(chainId)) {
        problems.push({ kind: 'reordered', chainId, seq: r.seq, eventId: r.eventId, message: `${name} was reordered: it was the chain's first event` });
      } else {
        problems.push({ kind: 'removed', chainId, seq: r.seq, eventId: r.eventId, message: `${name}: the event written before it is missing (removed, and the chain renumbered)` });
      }
    }
    expectedSeq = r.seq + 1;
    prevHash = r.hash;
  }
}

/**
 * Each seal against the chain's head at its event (migration 0016 on: the last event of every
 * written batch carries one). A batch commits with its seal, so a sealed chain that ends on an
 * unsealed event lost the end of its last batch. Returns whether the chain is sealed at all
 * (chains written before seals existed have none).
 */
function checkSeals(chainId: string, rows: ChainRow[], keys: DigestKeys, problems: Problem[], notes: string[]): boolean {
  let any = false;
  const unchecked = new Set<number>();
  const derived = new Map<number, Buffer>();
  for (const r of rows) {
    if (r.seal === null) continue;
    any = true;
    const name = `event ${short(chainId)}/${r.seq} (${r.eventId})`;
    const seal = parseSeal(r.seal);
    if (!seal) {
      problems.push({ kind: 'changed', chainId, seq: r.seq, eventId: r.eventId, message: `${name} has a malformed seal: the seal was changed` });
      continue;
    }
    if (!keys.has(seal.generation)) {
      unchecked.add(seal.generation);
      continue;
    }
    let key = derived.get(seal.generation);
    if (!key) derived.set(seal.generation, key = digestKey(keys.keyOf(seal.generation)));
    if (sealMac(key, chainId, r.seq, r.hash) !== seal.mac) {
      problems.push({ kind: 'changed', chainId, seq: r.seq, eventId: r.eventId, message: `${name} does not match its seal: the chain up to it was rewritten, or the seal forged` });
    }
  }
  for (const generation of unchecked) notes.push(`chain ${short(chainId)}: seals under root key generation ${generation}, which this root key no longer holds, were not checked`);
  const last = rows.at(-1)!;
  if (any && last.seal === null) {
    problems.push({
      kind: 'removed', chainId, seq: last.seq + 1,
      message: `chain ${short(chainId)}: events after ${last.seq} removed (event ${last.seq} ends the chain but no seal covers it: its batch went on past it, and the rest is gone)`,
    });
  }
  return any;
}
