/**
 * GetSecretValue requests/s against one coffer node and against two nodes on one PostgreSQL,
 * in the same run with the same load generator (bench/load.ts: SigV4-signed keep-alive
 * requests in closed loops): the same load processes and the same total connections, all
 * sent to node 1 first, then split evenly between node 1 and node 2. Both nodes share a fresh
 * schema of the local PostgreSQL, a root key and root credentials, as a deployment behind a
 * load balancer does; the read is served from each node's cache (docs/deployment.md).
 *
 * No CPU pinning here: two servers and the load must share the machine's CPUs, so the
 * two-node figure shows scaling only where there are cores for it (the output says how many).
 *
 * Knobs: BENCH_CLUSTER_SECONDS (measured s per setup, default 8), BENCH_WARMUP (s, default 3),
 * BENCH_CONNECTIONS (default 32), BENCH_CLUSTER_CLIENTS (load processes, default 2),
 * COFFER_TEST_PG_URL (the PostgreSQL server, as the tests use it). Last line: JSON.
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dropPostgresSchema, newPostgresSchema, type TestServer } from '../test/helpers/server.ts';
import { signedRequest } from '../test/helpers/raw.ts';
import { newRootKey, startNode } from '../test/helpers/cluster.ts';
import type { LoadConfig, LoadResult } from './load.ts';

export interface ClusterFigure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface ClusterSectionResult {
  oneNode: ClusterFigure;
  twoNodes: ClusterFigure;
  cpus: number;
  clients: number;
  connections: number;
  seconds: number;
}

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 8);
const WARMUP_MS = Number(process.env.BENCH_WARMUP ?? 3) * 1000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CLIENTS = Math.max(2, Number(process.env.BENCH_CLUSTER_CLIENTS ?? 2));
const ROOT = { accessKeyId: 'AKIABENCHCLUSTER0001', secretAccessKey: 'bench-cluster-root-secret-000000000000000' };
const VALUE = JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 5432, username: 'app', password: 'bench-not-a-real-password' });

/** Runs CLIENTS load processes at once; process i drives endpoints[i % endpoints.length]. */
async function measure(endpoints: string[]): Promise<ClusterFigure> {
  const children = Array.from({ length: CLIENTS }, () => fork(join(HERE, 'load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(children.map((c) => new Promise<void>((resolve, reject) => {
    c.once('message', () => resolve());
    c.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  })));
  const results = children.map((c) => new Promise<LoadResult>((resolve) => c.on('message', (m: { result?: LoadResult }) => { if (m.result) resolve(m.result); })));
  for (const [i, c] of children.entries()) {
    c.send({
      go: {
        endpoint: endpoints[i % endpoints.length]!, connections: Math.ceil(CONNECTIONS / CLIENTS), warmupMs: WARMUP_MS, durationMs: SECONDS * 1000,
        target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'bench/cluster' }), credentials: ROOT, region: 'us-east-1',
      } satisfies LoadConfig,
    });
  }
  const all = await Promise.all(results);
  const latencies = Uint32Array.from(all.flatMap((r) => r.latenciesUs)).sort();
  const at = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! / 1000 : NaN);
  return {
    rps: all.reduce((n, r) => n + r.completed, 0) / SECONDS,
    p50: at(50),
    p99: at(99),
    errors: all.reduce((n, r) => n + r.errors, 0),
  };
}

async function main(): Promise<void> {
  const databaseUrl = await newPostgresSchema();
  const rootKey = newRootKey();
  const nodes: TestServer[] = [];
  try {
    nodes.push(await startNode({ databaseUrl, root: ROOT, rootKey }));
    nodes.push(await startNode({ databaseUrl, root: ROOT, rootKey }));
    const created = await signedRequest(nodes[0]!, { target: 'secretsmanager.CreateSecret', body: JSON.stringify({ Name: 'bench/cluster', SecretString: VALUE, ClientRequestToken: '00000000-0000-4000-8000-0000000000c1' }) });
    if (created.status !== 200) throw new Error(`CreateSecret failed: ${created.status} ${created.body}`);
    for (const node of nodes) {
      const read = await signedRequest(node, { target: 'secretsmanager.GetSecretValue', body: JSON.stringify({ SecretId: 'bench/cluster' }) });
      if (read.status !== 200 || read.json?.SecretString !== VALUE) throw new Error(`GetSecretValue on ${node.endpoint} failed: ${read.status} ${read.body}`);
    }
    const oneNode = await measure([nodes[0]!.endpoint]);
    const twoNodes = await measure(nodes.map((n) => n.endpoint));
    const result: ClusterSectionResult = { oneNode, twoNodes, cpus: availableParallelism(), clients: CLIENTS, connections: CONNECTIONS, seconds: SECONDS };
    console.log(JSON.stringify(result));
  } finally {
    for (const node of nodes) {
      await node.stop();
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    await dropPostgresSchema(databaseUrl);
  }
}

await main();
