/**
 * Throttling across a cluster: two `coffer serve` nodes on one PostgreSQL schema each hold half
 * of every quota (src/throttle/cluster-share.ts), so under an even load the two together admit
 * about the quota, not twice it; once one node dies the other's share grows back to the whole
 * rate. Admitted requests are counted over a window and compared with what a token bucket of
 * that rate and burst can admit over the window's measured length, with generous margins: the
 * bounds follow from the bucket, not from how fast a loaded machine answers.
 * PostgreSQL only: the embedded SQLite database serves one node (its throttling is
 * test/throttling.test.ts).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { CreateSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dropPostgresSchema, newPostgresSchema, TEST_DATABASE, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { newRootKey, startNode } from './helpers/cluster.ts';

const skip = TEST_DATABASE === 'postgres' ? false : 'several nodes need PostgreSQL (COFFER_TEST_DATABASE=postgres); SQLite serves one node';
const RATE = 4;
/** One second of burst: a whole bucket is RATE tokens, a node's half RATE / 2. */
const BURST_SECONDS = 1;
const NODE_ARGS = [
  '--throttle-rate', `secretsmanager:GetSecretValue=${RATE}`, '--throttle-burst', String(BURST_SECONDS),
  // Membership changes are logged at info: the test waits for them instead of sleeping.
  '--log-level', 'info', '--drain-grace-ms', '500',
];
const ROOT: Credentials = { accessKeyId: 'AKIATHROTTLECLUSTER1', secretAccessKey: 'throttle-cluster-root-secret-000000000000' };
const WINDOW_MS = 6_000;
/** Extra admissions tolerated over the bucket's bound (a request admitted at a window's edge, rounding). */
const SLACK = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `server` has logged that it sees `n` live nodes (after `since` characters of its log). */
async function seesLiveNodes(server: TestServer, n: number, since: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (server.stderr().slice(since).includes(`"liveNodes":${n},`)) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) assert.fail(`the node did not see ${n} live node(s) within ${timeoutMs} ms; its log:\n${server.stderr().slice(-2000)}`);
    await sleep(50);
  }
}

interface Counts { admitted: number; throttled: number; other: string[] }

/**
 * `workers` loops per client, each sending GetSecretValue every 25 ms or so (far above the
 * rate: the bucket, not the load, decides) until `ms` have passed; counts the outcomes.
 */
async function hammer(clients: SecretsManagerClient[], secretId: string, workers: number, ms: number): Promise<{ perClient: Counts[]; elapsedMs: number }> {
  const t0 = Date.now();
  const perClient = clients.map(() => ({ admitted: 0, throttled: 0, other: [] as string[] }));
  await Promise.all(clients.flatMap((sm, i) => Array.from({ length: workers }, async () => {
    const counts = perClient[i]!;
    while (Date.now() - t0 < ms) {
      try {
        await sm.send(new GetSecretValueCommand({ SecretId: secretId }));
        counts.admitted++;
      } catch (err) {
        const e = err as Error;
        if (e.name === 'ThrottlingException') counts.throttled++;
        else counts.other.push(`${e.name}: ${e.message}`);
      }
      await sleep(25);
    }
  })));
  // From before the first request was sent to after the last answer came: the server's window is inside it.
  return { perClient, elapsedMs: Date.now() - t0 };
}

/** The most a bucket of `rate` a second and `capacity` tokens, full at the start, admits in `ms`. */
const bucketBound = (rate: number, capacity: number, ms: number) => capacity + (rate * ms) / 1000;

describe('throttling across two nodes on one PostgreSQL', { skip }, () => {
  let databaseUrl: string;
  const rootKey = newRootKey();
  let a: TestServer;
  let b: TestServer;
  let smA: SecretsManagerClient;
  let smB: SecretsManagerClient;

  before(async () => {
    if (skip) return;
    databaseUrl = await newPostgresSchema();
    // The first node creates the schema and the account; the second joins it.
    a = await startNode({ databaseUrl, root: ROOT, rootKey, args: NODE_ARGS });
    b = await startNode({ databaseUrl, root: ROOT, rootKey, args: NODE_ARGS });
    smA = secretsManager(a);
    smB = secretsManager(b);
  });

  after(async () => {
    if (skip) return;
    smA?.destroy();
    smB?.destroy();
    for (const s of [a, b]) {
      if (!s) continue;
      await s.stop();
      rmSync(s.dataDir, { recursive: true, force: true });
    }
    await dropPostgresSchema(databaseUrl);
  });

  test('together the nodes admit about the quota, not twice it; alone, a node admits the whole quota again', async (t) => {
    await smA.send(new CreateSecretCommand({ Name: 'throttle/cluster', SecretString: 'not-a-real-secret' }));
    // B saw A in the heartbeat it makes before serving; A sees B within a heartbeat or two.
    await seesLiveNodes(b, 2, 0, 30_000);
    await seesLiveNodes(a, 2, 0, 30_000);
    // Operators see the same count on /metrics.
    assert.match(await (await fetch(`${a.endpoint}/metrics`)).text(), /^coffer_cluster_live_nodes 2$/m);

    // An even load over both nodes, as a load balancer spreads it: each admits its half.
    const both = await hammer([smA, smB], 'throttle/cluster', 2, WINDOW_MS);
    const [onA, onB] = both.perClient as [Counts, Counts];
    assert.deepEqual([...onA.other, ...onB.other], [], 'no error but throttling');
    const total = onA.admitted + onB.admitted;
    const quota = bucketBound(RATE, RATE * BURST_SECONDS, both.elapsedMs);
    const detail = `A admitted ${onA.admitted} (throttled ${onA.throttled}), B ${onB.admitted} (throttled ${onB.throttled}) in ${both.elapsedMs} ms`;
    t.diagnostic(`two nodes: ${detail}; quota ${quota.toFixed(1)}`);
    assert.ok(onA.throttled > 0 && onB.throttled > 0, `the load was above each node's share: ${detail}`);
    // Per-node buckets would admit about twice `quota`.
    assert.ok(total <= quota + SLACK, `at most the quota (${quota.toFixed(1)}) together: ${detail}`);
    for (const [name, counts] of [['A', onA], ['B', onB]] as const) {
      assert.ok(counts.admitted <= quota / 2 + SLACK, `node ${name} took no more than its half (${(quota / 2).toFixed(1)}): ${detail}`);
    }
    // And not starved: about the quota (the loosest bound: more than half of it).
    assert.ok(total > quota / 2, `more than half the quota together: ${detail}`);

    // B dies without a goodbye: A's share grows back to the whole rate once B's heartbeat is
    // PEER_DEAD_MS (5 s) old.
    const logged = a.stderr().length;
    b.process.kill('SIGKILL');
    await new Promise((resolve) => b.process.once('exit', resolve));
    await seesLiveNodes(a, 1, logged, 60_000);

    const alone = await hammer([smA], 'throttle/cluster', 4, WINDOW_MS);
    const [onlyA] = alone.perClient as [Counts];
    assert.deepEqual(onlyA.other, [], 'no error but throttling');
    const whole = bucketBound(RATE, RATE * BURST_SECONDS, alone.elapsedMs);
    const half = bucketBound(RATE / 2, (RATE * BURST_SECONDS) / 2, alone.elapsedMs);
    const aloneDetail = `A admitted ${onlyA.admitted} (throttled ${onlyA.throttled}) in ${alone.elapsedMs} ms`;
    t.diagnostic(`one node: ${aloneDetail}; quota ${whole.toFixed(1)}, half share ${half.toFixed(1)}`);
    assert.ok(onlyA.throttled > 0, `the load was above the rate: ${aloneDetail}`);
    assert.ok(onlyA.admitted <= whole + SLACK, `at most the whole quota (${whole.toFixed(1)}): ${aloneDetail}`);
    assert.ok(onlyA.admitted > half + SLACK, `clearly more than a half share (${half.toFixed(1)}): ${aloneDetail}`);
  });
});
