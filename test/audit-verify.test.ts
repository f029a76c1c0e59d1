/**
 * `coffer audit verify` finds tampering done straight in the database: an event changed (its
 * JSON, or a lookup column), removed (in the middle, or the last one a digest signed),
 * reordered, and a digest forged; each with a precise report and exit code 1, and exit 0
 * once the rows are put back. A clean shutdown leaves every event signed by a digest. A node
 * that crashed before any digest still has every batch sealed: an event removed from its last
 * batch, or rewritten with a fresh hash, is found too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { runCoffer } from './helpers/process.ts';
import { sql } from './helpers/db-rows.ts';
import { eventHash } from '../src/audit/chain.ts';

let server: TestServer;
type Row = { chain_id: string; seq: number; event_id: string; event: string; event_name: string; hash: string; prev_hash: string };
let rows: Row[];

const verify = () => runCoffer(['audit', 'verify', '--data-dir', server.dataDir, '--database', server.databaseUrl], { timeoutMs: 60_000 });

before(async () => {
  server = await startServer();
  const sm = secretsManager(server);
  for (let i = 0; i < 4; i++) {
    await sm.send(new CreateSecretCommand({ Name: `verify/${i}`, SecretString: `value-${i}` }));
    await sm.send(new GetSecretValueCommand({ SecretId: `verify/${i}` }));
  }
  // A clean shutdown writes every queued event and a final digest.
  assert.equal(await server.stop(), 0);
  rows = (await sql(server, 'select chain_id, seq, event_id, event, event_name, hash, prev_hash from {schema}audit_events order by seq')).rows
    .map((r) => ({ ...r, seq: Number(r.seq) }) as Row);
});
after(() => server?.destroy());

/** Runs verify with the database tampered by `tamper`, then undoes it with `undo`. */
async function tampered(tamper: () => Promise<unknown>, undo: () => Promise<unknown>, check = verify) {
  await tamper();
  try {
    return await check();
  } finally {
    await undo();
  }
}

const setColumn = (column: string, value: unknown, r: Row) =>
  sql(server, `update {schema}audit_events set ${column} = $1 where chain_id = $2 and seq = $3`, [value, r.chain_id, r.seq]);

describe('coffer audit verify', () => {
  test('an untouched trail verifies: every event signed after a clean shutdown', async () => {
    assert.equal(rows.length >= 8, true, `${rows.length} events`);
    assert.equal(new Set(rows.map((r) => r.chain_id)).size, 1);
    const r = await verify();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`audit trail: ${rows.length} events in 1 chain, \\d+ digests?`));
    assert.match(r.stdout, /OK: no event changed, removed or reordered/);
    assert.doesNotMatch(r.stdout, /not yet signed|no digest signs/);
  });

  test('a changed event', async () => {
    const victim = rows[3]!;
    const r = await tampered(
      () => setColumn('event', victim.event.replace('"readOnly":', '"readOnly" :'), victim),
      () => setColumn('event', victim.event, victim),
    );
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`CHANGED +event ${victim.chain_id.slice(0, 8)}/${victim.seq} \\(${victim.event_id}\\) was changed: its hash does not match its content`));
    assert.match(r.stdout, /FAILED: 1 problem/);
  });

  test('a changed lookup column', async () => {
    const victim = rows[2]!;
    const r = await tampered(() => setColumn('event_name', 'ListSecrets', victim), () => setColumn('event_name', victim.event_name, victim));
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`CHANGED +event ${victim.chain_id.slice(0, 8)}/${victim.seq} .*event_name no longer match its content`));
  });

  test('a removed event, in the middle and at the signed end', async () => {
    for (const victim of [rows[4]!, rows.at(-1)!]) {
      const { rows: [saved] } = await sql(server, 'select * from {schema}audit_events where event_id = $1', [victim.event_id]);
      const cols = Object.keys(saved!);
      const r = await tampered(
        () => sql(server, 'delete from {schema}audit_events where event_id = $1', [victim.event_id]),
        () => sql(server, `insert into {schema}audit_events (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => saved![c])),
      );
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stdout, victim === rows.at(-1)
        ? new RegExp(`REMOVED +event ${victim.chain_id.slice(0, 8)}/${victim.seq}, signed by digest \\d+, is missing`)
        : new RegExp(`REMOVED +chain ${victim.chain_id.slice(0, 8)}: event ${victim.seq} removed`));
    }
    assert.equal((await verify()).code, 0);
  });

  test('two events swapped', async () => {
    const [a, b] = [rows[5]!, rows[6]!];
    const swap = async (x: number, y: number) => {
      await sql(server, 'update {schema}audit_events set seq = $1 where chain_id = $2 and seq = $3', [-1, a.chain_id, x]);
      await sql(server, 'update {schema}audit_events set seq = $1 where chain_id = $2 and seq = $3', [x, a.chain_id, y]);
      await sql(server, 'update {schema}audit_events set seq = $1 where chain_id = $2 and seq = $3', [y, a.chain_id, -1]);
    };
    const r = await tampered(() => swap(a.seq, b.seq), () => swap(a.seq, b.seq));
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`REORDERED +event ${a.chain_id.slice(0, 8)}/${a.seq} \\(${b.event_id}\\) was reordered: it was written after event ${b.seq}, but now follows event ${a.seq - 1}`));
    assert.match(r.stdout, new RegExp(`REORDERED +event ${a.chain_id.slice(0, 8)}/${b.seq} \\(${a.event_id}\\) was reordered`));
    assert.equal((await verify()).code, 0);
  });

  test('a rewritten chain (fresh hashes) is caught by the signed digest, and a forged digest by its signature', async () => {
    const last = rows.at(-1)!;
    const r = await tampered(() => setColumn('hash', 'f'.repeat(64), last), () => setColumn('hash', last.hash, last));
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`event ${last.chain_id.slice(0, 8)}/${last.seq} \\(${last.event_id}\\) is not the one digest \\d+ signed`));
    const { rows: [digest] } = await sql(server, 'select digest_seq, head_hash from {schema}audit_digests order by digest_seq desc limit 1');
    const forged = await tampered(
      () => sql(server, 'update {schema}audit_digests set head_hash = $1 where digest_seq = $2', ['0'.repeat(64), digest!.digest_seq]),
      () => sql(server, 'update {schema}audit_digests set head_hash = $1 where digest_seq = $2', [digest!.head_hash, digest!.digest_seq]),
    );
    assert.equal(forged.code, 1);
    assert.match(forged.stdout, new RegExp(`DIGEST +digest ${digest!.digest_seq} has a wrong signature`));
    assert.equal((await verify()).code, 0);
  });

  test('a restarted node starts a chain of its own; both verify', async () => {
    const again = await startServer({ dataDir: server.dataDir, databaseUrl: server.databaseUrl, root: server.root });
    try {
      await secretsManager(again).send(new GetSecretValueCommand({ SecretId: 'verify/0' }));
    } finally {
      assert.equal(await again.stop(), 0);
    }
    const r = await verify();
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`audit trail: ${rows.length + 1} events in 2 chains, \\d+ digests`));
  });
});

/** The events of the last batch written: those after the last seal but one. */
function lastBatch<T extends { seal: string | null }>(chain: T[]): T[] {
  let start = chain.length - 1;
  while (start > 0 && chain[start - 1]!.seal === null) start--;
  return chain.slice(start);
}

describe('a node that crashed before its first digest', () => {
  let crashed: TestServer;
  type SealedRow = Row & { seal: string | null };
  let chain: SealedRow[];
  const verifyCrashed = () => runCoffer(['audit', 'verify', '--data-dir', crashed.dataDir, '--database', crashed.databaseUrl], { timeoutMs: 60_000 });

  before(async () => {
    crashed = await startServer({ args: ['--audit-digest-interval', '3600'] });
    const sm = secretsManager(crashed);
    await sm.send(new CreateSecretCommand({ Name: 'crash/one', SecretString: 'v' }));
    const rows = async () => (await sql(crashed, 'select chain_id, seq, event_id, event, event_name, hash, prev_hash, seal from {schema}audit_events order by seq')).rows
      .map((r) => ({ ...r, seq: Number(r.seq) }) as SealedRow);
    // Answers that come within the 20 ms a batch waits share one transaction and one seal, on
    // its last event. On a busy machine they may not: another burst, until the last batch
    // written holds several events.
    let sent = 1;
    for (let burst = 0; burst < 10; burst++) {
      await Promise.all(Array.from({ length: 8 }, () => sm.send(new GetSecretValueCommand({ SecretId: 'crash/one' }))));
      sent += 8;
      for (let i = 0; i < 100 && (await rows()).length < sent; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      chain = await rows();
      if (lastBatch(chain).length > 1) break;
    }
    crashed.process.kill('SIGKILL');
    await new Promise((resolve) => crashed.process.once('exit', resolve));
    chain = await rows();
  });
  after(() => crashed?.destroy());

  test('no digest, every batch sealed: verify passes and says so', async () => {
    const { rows: digests } = await sql(crashed, 'select * from {schema}audit_digests');
    assert.equal(digests.length, 0);
    assert.match(chain.at(-1)!.seal ?? '', /^1:[0-9a-f]{64}$/);
    // The last batch: several events, sealed on its last only.
    const batch = lastBatch(chain);
    assert.ok(batch.length > 1, JSON.stringify(chain.map((r) => r.seal && 'sealed')));
    assert.ok(batch.slice(0, -1).every((r) => r.seal === null));
    const r = await verifyCrashed();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`no digest signs any of its ${chain.length} events yet .*sealed batch by batch`));
  });

  test('the last event of the last batch removed: the chain ends unsealed', async () => {
    const victim = chain.at(-1)!;
    const { rows: [saved] } = await sql(crashed, 'select * from {schema}audit_events where event_id = $1', [victim.event_id]);
    const cols = Object.keys(saved!);
    const r = await tampered(
      () => sql(crashed, 'delete from {schema}audit_events where event_id = $1', [victim.event_id]),
      () => sql(crashed, `insert into {schema}audit_events (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((c) => saved![c])),
      verifyCrashed,
    );
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`REMOVED +chain ${victim.chain_id.slice(0, 8)}: events after ${victim.seq - 1} removed`));
    assert.equal((await verifyCrashed()).code, 0);
  });

  test('the last event rewritten with a fresh hash: its seal no longer matches', async () => {
    const victim = chain.at(-1)!;
    const forged = victim.event.replace('"GetSecretValue"', '"DescribeSecret"');
    const update = (event: string, eventName: string, hash: string) =>
      sql(crashed, 'update {schema}audit_events set event = $1, event_name = $2, hash = $3 where event_id = $4', [event, eventName, hash, victim.event_id]);
    const r = await tampered(
      () => update(forged, 'DescribeSecret', eventHash(victim.prev_hash, victim.chain_id, forged)),
      () => update(victim.event, victim.event_name, victim.hash),
      verifyCrashed,
    );
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, new RegExp(`CHANGED +event ${victim.chain_id.slice(0, 8)}/${victim.seq} \\(${victim.event_id}\\) does not match its seal`));
    assert.equal((await verifyCrashed()).code, 0);
  });
});

describe('two nodes on one PostgreSQL', { skip: TEST_DATABASE !== 'postgres' && 'PostgreSQL only' }, () => {
  test('each writes its own chain while they run; the digests of both form one signed chain', async () => {
    const first = await startServer({ args: ['--audit-digest-interval', '0.2'] });
    const rootKey = readFileSync(join(first.dataDir, 'root.key'), 'utf8').trim();
    const second = await startServer({ databaseUrl: first.databaseUrl, root: first.root, env: { COFFER_ROOT_KEY: rootKey }, args: ['--audit-digest-interval', '0.2'] });
    try {
      const clients = [secretsManager(first), secretsManager(second)];
      await clients[0]!.send(new CreateSecretCommand({ Name: 'nodes/shared', SecretString: 'v' }));
      // Both nodes answer at once, and sign their heads while the other does.
      for (let round = 0; round < 5; round++) {
        await Promise.all(clients.map((c) => c.send(new GetSecretValueCommand({ SecretId: 'nodes/shared' }))));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      assert.equal(await second.stop(), 0);
      assert.equal(await first.stop(), 0);
      const r = await runCoffer(['audit', 'verify', '--data-dir', first.dataDir, '--database', first.databaseUrl], { timeoutMs: 60_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /audit trail: 11 events in 2 chains, \d+ digests/);
      const { rows } = await sql(first, 'select distinct chain_id from {schema}audit_digests');
      assert.equal(rows.length, 2);
    } finally {
      await second.destroy();
      await first.destroy();
    }
  });
});
