/**
 * The audit trail of one node: turns every finished request (a request observer) and every
 * service event (the AuditSink) into a CloudTrail event, links it into this node's hash chain
 * at once, in the order the events happened, and writes it to the database in the background,
 * batching whatever arrived during the previous write into one transaction.
 *
 * Durability (docs/audit.md): an event is written right after its response is sent, not
 * before, so the audit trail adds no database round trip to a request's latency. `close()`
 * (a clean shutdown, after the server drained) writes everything queued and a final digest,
 * so nothing is lost then; a crash loses only the events of requests answered in the last
 * write's few milliseconds (events wait up to 20 ms to share one transaction) and those in flight. A failed write is retried, in order.
 *
 * Each batch is sealed (sealBatch) in its own transaction, so no committed event is unsigned;
 * digests sign the chain's head every `digestIntervalMs` and at close.
 *
 * With `file`, each committed event is also appended as one JSON line (mode 0600): the copy
 * outside the database that can show a cut-off end (docs/audit.md, "Tamper evidence").
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import type { RequestRecord } from '../observe/request-record.ts';
import { apiCallEvent, serviceEvent, type AuditEvent, type ModelLookup } from './event.ts';
import { digestKey, eventHash, genesisHash, signSeal } from './chain.ts';
import type { AuditStore, ResourceTriple, StoredEvent } from './audit-store.ts';
import type { AuditSink, ServiceEvent } from './sink.ts';

export interface DigestKeySource {
  readonly sealingGeneration: number;
  keyOf(generation: number): Buffer;
}

export interface AuditTrailOptions {
  store: AuditStore;
  rootKey: DigestKeySource;
  models: ModelLookup;
  log: Logger;
  now: () => number;
  /** Also append each event as a JSON line here. */
  file?: string;
  /** How often a digest signs this chain's head (when it moved). */
  digestIntervalMs: number;
  /** Pause before retrying a failed write. */
  retryMs?: number;
}

const BATCH = 500;
/**
 * Events wait this long for others to share their transaction: one commit per batch rather
 * than per request (a commit per event cost more than the request itself), at the price of
 * a crash losing up to this much more.
 */
const WRITE_DELAY_MS = 20;
/** How many times close() retries a failing write before giving up on the queue. */
const CLOSE_ATTEMPTS = 5;

export class AuditTrail implements AuditSink {
  readonly chainId = randomUUID();
  private seq = 0;
  private head: string;
  private queue: StoredEvent[] = [];
  private writing: Promise<void> | undefined;
  private delayed: NodeJS.Timeout | undefined;
  private committed = { seq: 0, hash: '' };
  private digested = 0;
  private signing: { generation: number; key: Buffer } | undefined;
  private closing = false;
  private closed = false;
  private readonly fd: number | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: AuditTrailOptions) {
    this.head = genesisHash(this.chainId);
    if (opts.file) {
      // Events hold no secret, but they are an account's activity: owner-only, like the root key.
      this.fd = openSync(opts.file, 'a', 0o600);
      fchmodSync(this.fd, 0o600);
    }
    this.timer = setInterval(() => {
      this.digest().catch((err) => opts.log.error({ err: errText(err) }, 'writing an audit digest failed; retrying on the next tick'));
    }, opts.digestIntervalMs);
    this.timer.unref();
  }

  /** The request observer: one event per finished API request. */
  readonly observe = (rec: RequestRecord): void => {
    const event = apiCallEvent(rec, this.opts.models, this.opts.now());
    if (event) this.add(event);
  };

  serviceEvent(e: ServiceEvent): void {
    try {
      this.add(serviceEvent(e, this.opts.now()));
    } catch (err) {
      // The service's own work is done and committed; a trail failure must not undo it.
      this.opts.log.error({ err: errText(err), event: e.name }, 'recording an audit service event failed');
    }
  }

  private add(a: AuditEvent): void {
    if (this.closed) {
      this.opts.log.error({ eventName: a.event.eventName }, 'audit event after the trail closed; not recorded');
      return;
    }
    const stored = linkEvent(this.chainId, this.seq + 1, this.head, a);
    this.seq++;
    this.head = stored.row.hash;
    this.queue.push(stored);
    this.kick();
  }

  /** A write soon (after WRITE_DELAY_MS), unless one is running or already due. */
  private kick(): void {
    if (this.writing || this.delayed) return;
    this.delayed = setTimeout(() => void this.write(), WRITE_DELAY_MS);
  }

  /** A write now: what is queued, until the queue is empty. */
  private write(): Promise<void> {
    if (this.delayed) clearTimeout(this.delayed);
    this.delayed = undefined;
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      // Events queued after the drain's last look.
      if (this.queue.length > 0 && !this.closing) this.kick();
    });
    return this.writing;
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH);
      const last = batch.at(-1)!.row;
      try {
        sealBatch(batch, this.chainId, this.key());
        await this.opts.store.append(batch);
      } catch (err) {
        failures++;
        this.opts.log.error({ err: errText(err), queued: this.queue.length }, 'writing audit events failed; retrying');
        if (this.closing && failures >= CLOSE_ATTEMPTS) return;
        await new Promise((resolve) => setTimeout(resolve, this.opts.retryMs ?? 1000).unref());
        continue;
      }
      failures = 0;
      this.queue.splice(0, batch.length);
      this.committed = { seq: last.seq, hash: last.hash };
      if (this.fd !== undefined) writeSync(this.fd, batch.map((e) => `${e.row.event}\n`).join(''));
    }
  }

  /** The signing key of seals and digests: derived from the root key's sealing generation, once per generation. */
  private key(): { generation: number; key: Buffer } {
    const generation = this.opts.rootKey.sealingGeneration;
    if (this.signing?.generation !== generation) this.signing = { generation, key: digestKey(this.opts.rootKey.keyOf(generation)) };
    return this.signing;
  }

  /** Resolves once every event recorded so far is in the database. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.writing) {
      await this.write();
      if (this.closing && this.queue.length > 0) return;
    }
  }

  /** Signs this chain's committed head, if it moved since the last digest. */
  async digest(): Promise<void> {
    const { seq, hash } = this.committed;
    if (seq === 0 || seq === this.digested) return;
    await this.opts.store.appendDigest(this.chainId, seq, hash, this.key(), this.opts.now());
    this.digested = seq;
  }

  /** Writes what is queued and a final digest; after the server drained, before the store closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    clearInterval(this.timer);
    await this.flush();
    this.closed = true;
    if (this.queue.length > 0) this.opts.log.error({ lost: this.queue.length }, 'audit events could not be written before shutdown');
    try {
      await this.digest();
    } catch (err) {
      this.opts.log.error({ err: errText(err) }, 'writing the final audit digest failed');
    }
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** The rows of event `seq` of `chainId`, linked after `prev` (the chain's head until now). */
export function linkEvent(chainId: string, seq: number, prev: string, a: AuditEvent): StoredEvent {
  const json = JSON.stringify(a.event);
  const hash = eventHash(prev, chainId, json);
  const e = a.event;
  return {
    row: {
      chain_id: chainId, seq, event_id: e.eventID, event_time: a.at,
      account_id: e.recipientAccountId, region: e.awsRegion, event_name: e.eventName, event_source: e.eventSource,
      username: a.username ?? null, access_key_id: a.accessKeyId ?? null, read_only: e.readOnly ? 1 : 0,
      event: json, prev_hash: prev, hash,
      resources: a.resources.length > 0 ? JSON.stringify(a.resources.map((r): ResourceTriple => [r.type, r.name, r.arn ?? null])) : null,
      seal: null,
    },
  };
}

/**
 * Seals a batch: its last event carries an HMAC over the chain's head there, and commits with
 * it, so every committed event is signed at once (docs/audit.md, "Tamper evidence").
 */
export function sealBatch(batch: StoredEvent[], chainId: string, signing: { generation: number; key: Buffer }): void {
  const last = batch.at(-1)!.row;
  last.seal = signSeal(signing.key, signing.generation, chainId, last.seq, last.hash);
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
