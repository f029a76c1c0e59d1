/**
 * What the audit trail costs a GetSecretValue, in-process CPU time (process.cpuUsage: user +
 * system, so it means something on a loaded machine): GetSecretValue-like request records go
 * through the real trail into a real SQLite store (a file in a temporary directory, opened as
 * `coffer serve` opens it), then µs per event for
 *
 * - build: the CloudTrail event from the record (identity, redaction, resources);
 * - link: the event's JSON, its chain hash and the batch's seal;
 * - write: the batch's rows in one transaction;
 * - trail: all of it through AuditTrail.observe() and flush(), as the server runs it.
 *
 * Batches of BENCH_AUDIT_BATCH (default 100: about what 20 ms of requests at 4–5 k/s put in
 * one). Index costs show only once the tables are large: the store is first filled with
 * BENCH_AUDIT_PREFILL events (default 200000) over BENCH_AUDIT_SECRETS secrets (default 100),
 * and the measured events name those secrets in turn.
 *
 *   node --import tsx bench/audit.ts     # BENCH_AUDIT_EVENTS (default 20000), BENCH_AUDIT_ROUNDS (3)
 *
 * Each figure is the best of BENCH_AUDIT_ROUNDS rounds. Prints a table and one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { openStore, type Store } from '../src/storage/database.ts';
import { AuditStore } from '../src/audit/audit-store.ts';
import { apiCallEvent, type AuditEvent } from '../src/audit/event.ts';
import { AuditTrail, linkEvent, sealBatch } from '../src/audit/trail.ts';
import { genesisHash } from '../src/audit/chain.ts';
import { modelFor } from '../src/audit/setup.ts';
import type { RequestRecord } from '../src/observe/request-record.ts';
import type { RequestContext } from '../src/auth/request-context.ts';
import type { Principal } from '../src/auth/principal.ts';

export interface AuditSectionResult {
  events: number;
  batch: number;
  prefill: number;
  secrets: number;
  buildUs: number;
  linkUs: number;
  writeUs: number;
  trailUs: number;
  /** Bytes of the audit tables and indexes per stored event. */
  bytesPerEvent: number;
}

const N = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const BATCH = Number(process.env.BENCH_AUDIT_BATCH ?? 100);
const ROUNDS = Math.max(1, Number(process.env.BENCH_AUDIT_ROUNDS ?? 3));
const PREFILL = Number(process.env.BENCH_AUDIT_PREFILL ?? 200_000);
const SECRETS = Math.max(1, Number(process.env.BENCH_AUDIT_SECRETS ?? 100));
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

const principal: Principal = {
  type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/bench-alice`, accountId: ACCOUNT, userId: 'AIDAEXAMPLEBENCHALICE',
  userName: 'bench-alice', accessKeyId: 'AKIAEXAMPLEBENCH0001',
};
const USER_AGENT = 'aws-sdk-js/3.1164.0 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#20.20.2 api/secrets-manager#3.1164.0 m/E';

function record(i: number): RequestRecord {
  const name = `prod/app/db-${i % SECRETS}`;
  const input = { SecretId: name };
  const ctx = {
    requestId: `req-${i}`, service: 'secretsmanager', operation: 'GetSecretValue', region: REGION, principal,
    sourceIp: '10.0.0.7', secureTransport: false, userAgent: USER_AGENT, requestTime: new Date(),
    call: { input },
  } as unknown as RequestContext;
  return {
    requestId: ctx.requestId, receivedAt: new Date(), durationMs: 0.2, protocol: 'awsJson', service: 'secretsmanager',
    operation: 'GetSecretValue', ctx, input,
    output: {
      ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-a1b2c3`, Name: name,
      VersionId: '00000000-0000-4000-8000-000000000001', SecretString: 'not-a-real-value', VersionStages: ['AWSCURRENT'], CreatedDate: new Date(),
    },
    status: 200, sourceIp: '10.0.0.7', userAgent: USER_AGENT,
  };
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const log = pino({ level: 'silent' });
const signingKey = randomBytes(32);
const rootKey = { sealingGeneration: 1, keyOf: () => signingKey };
const records = Array.from({ length: N }, (_, i) => record(i));

/** Bytes of the audit tables and their indexes (SQLite's dbstat), per stored event. */
function bytesPerEvent(store: Store, events: number): number {
  const { bytes } = store.sqlite!.prepare("select sum(pgsize) as bytes from dbstat where name like 'audit%' or name like 'sqlite_autoindex_audit%'").get() as { bytes: number };
  return Math.round(bytes / events);
}

/** A store of `PREFILL` events already, as a trail that has run a while leaves it. */
async function filledStore(file: string): Promise<Store> {
  const store = await openStore(`sqlite:${file}`);
  const audit = new AuditStore(store.db, store.dialect, store.sqlite);
  const chainId = `prefill-${file}`;
  let head = genesisHash(chainId);
  const base = Date.now() - PREFILL;
  for (let i = 0; i < PREFILL; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(PREFILL, i + 1000); j++) {
      const linked = linkEvent(chainId, j + 1, head, apiCallEvent(record(j), modelFor, base + j)!);
      head = linked.row.hash;
      batch.push(linked);
    }
    await audit.append(batch);
  }
  store.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
  return store;
}

const dir = mkdtempSync(join(tmpdir(), 'coffer-bench-audit-'));
const best = { buildUs: Infinity, linkUs: Infinity, writeUs: Infinity, trailUs: Infinity, bytesPerEvent: 0 };
try {
  for (let round = 0; round < ROUNDS; round++) {
    // The stages one batch at a time, through the trail's own functions.
    const stagesFile = join(dir, `stages-${round}.db`);
    const store = await filledStore(stagesFile);
    const audit = new AuditStore(store.db, store.dialect, store.sqlite);
    const chainId = `bench-chain-${round}`;
    let head = genesisHash(chainId);
    let build = 0;
    let link = 0;
    let write = 0;
    for (let i = 0; i < N; i += BATCH) {
      const t0 = cpuUs();
      const events: AuditEvent[] = [];
      for (let j = i; j < Math.min(N, i + BATCH); j++) events.push(apiCallEvent(records[j]!, modelFor, Date.now())!);
      const t1 = cpuUs();
      const batch = events.map((e, k) => {
        const l = linkEvent(chainId, i + k + 1, head, e);
        head = l.row.hash;
        return l;
      });
      sealBatch(batch, chainId, { generation: 1, key: signingKey });
      const t2 = cpuUs();
      await audit.append(batch);
      const t3 = cpuUs();
      build += t1 - t0;
      link += t2 - t1;
      write += t3 - t2;
    }
    best.buildUs = Math.min(best.buildUs, build / N);
    best.linkUs = Math.min(best.linkUs, link / N);
    best.writeUs = Math.min(best.writeUs, write / N);
    await store.close();

    // The whole trail as the server runs it: observe each record, a write per BATCH events.
    const trailFile = join(dir, `trail-${round}.db`);
    const trailStore = await filledStore(trailFile);
    const trail = new AuditTrail({ store: new AuditStore(trailStore.db, trailStore.dialect, trailStore.sqlite), rootKey, models: modelFor, log, now: Date.now, digestIntervalMs: 3_600_000 });
    const start = cpuUs();
    for (let i = 0; i < records.length; i++) {
      trail.observe(records[i]!);
      if ((i + 1) % BATCH === 0) await trail.flush();
    }
    await trail.flush();
    trailStore.sqlite?.pragma('wal_checkpoint(TRUNCATE)');
    best.trailUs = Math.min(best.trailUs, (cpuUs() - start) / N);
    await trail.close();
    best.bytesPerEvent = bytesPerEvent(trailStore, PREFILL + N);
    await trailStore.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const round1 = (n: number): number => Math.round(n * 10) / 10;
const result: AuditSectionResult = {
  events: N, batch: BATCH, prefill: PREFILL, secrets: SECRETS,
  buildUs: round1(best.buildUs), linkUs: round1(best.linkUs), writeUs: round1(best.writeUs), trailUs: round1(best.trailUs),
  bytesPerEvent: best.bytesPerEvent,
};
console.log(`audit trail: ${N} GetSecretValue events over ${SECRETS} secrets, batches of ${BATCH}, after ${PREFILL} events; CPU µs per event (best of ${ROUNDS}):`);
console.log(`  build (event, redaction)  ${result.buildUs}`);
console.log(`  link (JSON, hash, seal)   ${result.linkUs}`);
console.log(`  write (SQLite rows)       ${result.writeUs}`);
console.log(`  whole trail               ${result.trailUs}`);
console.log(`  stored bytes per event    ${result.bytesPerEvent}`);
console.log(JSON.stringify(result));
