/**
 * `npm run bench`: GetSecretValue throughput and latency against a real `coffer serve` on
 * its embedded SQLite database — by the root user, by an IAM user whose three attached
 * policies (src/iam/bench-eval.ts) the policy engine evaluates on every request, and by the
 * root user on a secret under a customer managed KMS key (made through the KMS API) — beside
 * a bare node:http server answering the same bytes, measured in the same run by the same load
 * generator; then the ratios. Last, policy evaluations per second on one CPU, ours beside
 * `@cloud-copilot/iam-simulate` on the same policies and requests, and what KMS costs a read
 * in-process (bench/kms.ts): the key-use authorization and the data-key unwrap, cached or not;
 * and rotations per minute through a trivial Node.js function (bench/rotation.ts; BENCH_ROTATION=0 skips).
 * Then single-user rotations per minute against a local PostgreSQL (bench/rotation-postgres.ts;
 * BENCH_PG_ROTATION=0 skips). Last, GetSecretValue requests/s against one node and against two
 * nodes on one PostgreSQL (bench/cluster.ts; BENCH_CLUSTER=0 skips).
 *
 * Fairness on a small machine: the server under test runs in its own process pinned to
 * CPU 0 (with `taskset`, all its threads), the load generators in their own processes pinned
 * to the other CPUs, so neither steals the other's core. Both targets get exactly the same
 * client work: a SigV4 signature computed per request by AWS's signer, over the same number
 * of keep-alive connections. The server's and the clients' CPU use over the measured window
 * are printed, so a reader can tell which side was the bottleneck.
 *
 * Knobs (environment): BENCH_DURATION (s per target, default 10), BENCH_WARMUP (s, default 3),
 * BENCH_ROUNDS (default 2: the measured time is split into rounds that alternate the targets),
 * BENCH_CONNECTIONS (default 32), BENCH_CLIENTS (load processes, default CPUs − 1),
 * BENCH_PIN=0 (no CPU pinning), BENCH_DATABASE_URL (e.g. a postgres:// URL instead of
 * SQLite), BENCH_POLICY=0 (skip the policy-evaluation and KMS sections), BENCH_POLICY_SECONDS (s per engine, default 3), BENCH_PROFILE=DIR (write the
 * server's CPU profile there, for `node --cpu-prof`-driven work on the hot path).
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../test/helpers/server.ts';
import { signedRequest } from '../test/helpers/raw.ts';
import { iamClient } from '../test/helpers/iam.ts';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { BENCH_POLICIES } from '../src/iam/bench-eval.ts';
import type { PolicySectionResult } from './policy.ts';
import type { KmsSectionResult } from './kms.ts';
import type { RotationSectionResult } from './rotation.ts';
import type { PgRotationSectionResult } from './rotation-postgres.ts';
import type { LoadConfig, LoadResult } from './load.ts';
import type { ClusterSectionResult } from './cluster.ts';

const env = process.env;
const DURATION_MS = Number(env.BENCH_DURATION ?? 10) * 1000;
const WARMUP_MS = Number(env.BENCH_WARMUP ?? 3) * 1000;
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Math.max(1, Number(env.BENCH_ROUNDS ?? 2));
const CPUS = availableParallelism();
const CLIENTS = Math.max(1, Number(env.BENCH_CLIENTS ?? Math.max(1, CPUS - 1)));
const PIN = env.BENCH_PIN !== '0' && CPUS >= 2 && hasTaskset();
const SERVER_CPUS = '0';
const CLIENT_CPUS = CPUS > 2 ? `1-${CPUS - 1}` : '1';
const REGION = 'us-east-1';
// Under prod/ and tagged team=payments: what the IAM user's policies grant (bench-eval.ts).
const SECRET_NAME = 'prod/app/db';
// The same value under a customer managed key (CreateKey with AWS's default key policy).
const CMK_SECRET_NAME = 'prod/app/db-cmk';
const BENCH_USER = 'bench-alice';
const SECRET_VALUE = JSON.stringify({ engine: 'postgres', host: 'db.internal', port: 5432, username: 'app', password: 'bench-not-a-real-password' });
const HERE = fileURLToPath(new URL('.', import.meta.url));

interface Measured {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  serverCpu?: number;
  /** Server CPU time per completed request, µs: steadier than req/s on a busy machine. */
  serverCpuPerRequest?: number;
  clientCpu: number;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of a running process to `cpuList`. */
function pin(pid: number, cpuList: string): void {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
}

const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

/** A process's user+system CPU time in ms, from /proc (Linux); undefined elsewhere. */
function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

function percentile(sorted: Uint32Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! / 1000;
}

async function startBare(body: string): Promise<{ endpoint: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(HERE, 'bare-server.ts'), body], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /endpoint: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { endpoint, process: child };
}

interface Round {
  results: LoadResult[];
  durationMs: number;
  serverCpuMs?: number;
}

/** Drives one target for one round with CLIENTS load processes. */
async function round(serverPid: number, durationMs: number, cfg: Omit<LoadConfig, 'connections' | 'warmupMs' | 'durationMs'>): Promise<Round> {
  const children = Array.from({ length: CLIENTS }, () => fork(join(HERE, 'load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  await Promise.all(children.map((c) => new Promise<void>((resolve, reject) => {
    c.once('message', () => resolve());
    c.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
  })));
  for (const c of children) pin(c.pid!, CLIENT_CPUS);
  const results = children.map((c) => new Promise<LoadResult>((resolve) => c.on('message', (m: { result?: LoadResult }) => { if (m.result) resolve(m.result); })));
  let serverCpuStart: number | undefined;
  let serverCpuEnd: number | undefined;
  setTimeout(() => { serverCpuStart = cpuTimeMs(serverPid); }, WARMUP_MS);
  setTimeout(() => { serverCpuEnd = cpuTimeMs(serverPid); }, WARMUP_MS + durationMs);
  const connections = Math.ceil(CONNECTIONS / CLIENTS);
  for (const c of children) c.send({ go: { ...cfg, connections, warmupMs: WARMUP_MS, durationMs } satisfies LoadConfig });
  return {
    results: await Promise.all(results),
    durationMs,
    serverCpuMs: serverCpuStart !== undefined && serverCpuEnd !== undefined ? serverCpuEnd - serverCpuStart : undefined,
  };
}

/** Merges the rounds of one target into one measurement. */
function merge(label: string, rounds: Round[]): Measured {
  const all = rounds.flatMap((r) => r.results);
  const total = all.reduce((n, r) => n + r.latenciesUs.length, 0);
  const latencies = new Uint32Array(total);
  let at = 0;
  for (const r of all) { latencies.set(r.latenciesUs, at); at += r.latenciesUs.length; }
  latencies.sort();
  const completed = all.reduce((n, r) => n + r.completed, 0);
  const durationMs = rounds.reduce((n, r) => n + r.durationMs, 0);
  const serverCpuMs = rounds.every((r) => r.serverCpuMs !== undefined) ? rounds.reduce((n, r) => n + r.serverCpuMs!, 0) : undefined;
  return {
    label,
    rps: completed / (durationMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: all.reduce((n, r) => n + r.errors, 0),
    firstError: all.find((r) => r.firstError)?.firstError,
    serverCpu: serverCpuMs === undefined ? undefined : serverCpuMs / durationMs,
    serverCpuPerRequest: serverCpuMs === undefined || completed === 0 ? undefined : (serverCpuMs * 1000) / completed,
    // Per load process, averaged: 100% means a load process had its core to itself and used all of it.
    clientCpu: all.reduce((n, r) => n + r.cpuMs, 0) / durationMs / CLIENTS,
  };
}

function pct(x: number | undefined): string {
  return x === undefined ? 'n/a' : `${Math.round(x * 100)}%`;
}

function table(rows: Measured[]): string {
  const head = ['', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server CPU', 'server µs/req', 'client CPU'];
  const body = rows.map((r) => [
    r.label, Math.round(r.rps).toLocaleString('en-US'), r.p50.toFixed(2), r.p99.toFixed(2), String(r.errors), pct(r.serverCpu),
    r.serverCpuPerRequest === undefined ? 'n/a' : Math.round(r.serverCpuPerRequest).toString(), pct(r.clientCpu),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
  const databaseUrl = env.BENCH_DATABASE_URL ?? `sqlite://${join(dataDir, 'coffer.db')}`;
  const backend = databaseUrl.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL';
  let coffer: TestServer | undefined;
  let bare: ChildProcess | undefined;
  let rootCpuPerRequest: number | undefined;
  try {
    // Logs at the default level a user gets, not the tests' quieter one.
    // BENCH_PROFILE=DIR writes the server's CPU profile there (node --cpu-prof) when it stops.
    const nodeArgs = env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_PROFILE}`] : [];
    coffer = await startServer({ dataDir, databaseUrl, nodeArgs, env: { COFFER_LOG_LEVEL: 'info' } });
    const created = await signedRequest(coffer, {
      target: 'secretsmanager.CreateSecret',
      body: JSON.stringify({ Name: SECRET_NAME, SecretString: SECRET_VALUE, ClientRequestToken: '00000000-0000-4000-8000-000000000001', Tags: [{ Key: 'team', Value: 'payments' }] }),
    });
    if (created.status !== 200) throw new Error(`CreateSecret failed: ${created.status} ${created.body}`);
    const requestBody = JSON.stringify({ SecretId: SECRET_NAME });
    const sample = await signedRequest(coffer, { target: 'secretsmanager.GetSecretValue', body: requestBody });
    if (sample.status !== 200 || sample.json?.SecretString !== SECRET_VALUE) throw new Error(`GetSecretValue failed: ${sample.status} ${sample.body}`);

    const key = await signedRequest(coffer, { target: 'TrentService.CreateKey', service: 'kms', body: JSON.stringify({ Description: 'bench' }) });
    if (key.status !== 200) throw new Error(`KMS CreateKey failed: ${key.status} ${key.body}`);
    const cmkCreated = await signedRequest(coffer, {
      target: 'secretsmanager.CreateSecret',
      body: JSON.stringify({ Name: CMK_SECRET_NAME, KmsKeyId: key.json.KeyMetadata.KeyId, SecretString: SECRET_VALUE, ClientRequestToken: '00000000-0000-4000-8000-000000000002', Tags: [{ Key: 'team', Value: 'payments' }] }),
    });
    if (cmkCreated.status !== 200) throw new Error(`CreateSecret under a customer managed key failed: ${cmkCreated.status} ${cmkCreated.body}`);
    const cmkBody = JSON.stringify({ SecretId: CMK_SECRET_NAME });
    const cmkSample = await signedRequest(coffer, { target: 'secretsmanager.GetSecretValue', body: cmkBody });
    if (cmkSample.status !== 200 || cmkSample.json?.SecretString !== SECRET_VALUE) throw new Error(`GetSecretValue under a customer managed key failed: ${cmkSample.status} ${cmkSample.body}`);

    // An IAM user with the three policies of the policy bench, attached, made through IAM.
    const iam = iamClient(coffer);
    await iam.send(new CreateUserCommand({ UserName: BENCH_USER, Tags: [{ Key: 'team', Value: 'payments' }] }));
    for (const [name, doc] of Object.entries(BENCH_POLICIES)) {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: JSON.stringify(doc) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: BENCH_USER, PolicyArn: Policy!.Arn! }));
    }
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: BENCH_USER }));
    const userCreds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const asUser = await signedRequest(coffer, { target: 'secretsmanager.GetSecretValue', body: requestBody, credentials: userCreds });
    if (asUser.status !== 200 || asUser.body !== sample.body) throw new Error(`GetSecretValue as the IAM user failed: ${asUser.status} ${asUser.body}`);
    const denied = await signedRequest(coffer, { target: 'secretsmanager.DeleteSecret', body: requestBody, credentials: userCreds });
    if (denied.status !== 400 || !denied.body.includes('AccessDenied')) throw new Error(`DeleteSecret as the IAM user was not denied: ${denied.status} ${denied.body}`);

    // The bare server answers the very bytes of a real GetSecretValue response.
    const started = await startBare(sample.body);
    bare = started.process;
    pin(coffer.process.pid!, SERVER_CPUS);
    pin(bare.pid!, SERVER_CPUS);

    const cpuModel = cpus()[0]?.model.trim() ?? 'unknown CPU';
    console.log(`coffer bench: GetSecretValue over keep-alive HTTP vs a bare node:http server answering the same ${Buffer.byteLength(sample.body)}-byte JSON body`);
    console.log(`  machine: ${CPUS} CPUs (${cpuModel}), Node.js ${process.version}, database: ${backend}`);
    console.log(`  load: ${CONNECTIONS} keep-alive connections from ${CLIENTS} load process(es), every request SigV4-signed by @smithy/signature-v4, for both targets`);
    console.log(PIN
      ? `  fairness: server process pinned to CPU ${SERVER_CPUS}, load processes to CPU ${CLIENT_CPUS} (taskset -a); the two servers run one at a time`
      : `  fairness: no CPU pinning (BENCH_PIN=0, one CPU, or no taskset): server and load share the CPUs`);
    console.log(`  ${ROUNDS} round(s) alternating the targets, each a ${WARMUP_MS / 1000}s warm-up then ${DURATION_MS / ROUNDS / 1000}s measured: ${DURATION_MS / 1000}s per target\n`);

    const creds = coffer.root;
    const common = { target: 'secretsmanager.GetSecretValue', body: requestBody, credentials: creds, region: REGION };
    // Alternate the targets round by round, so that whatever else the machine does during the
    // run weighs on both alike.
    const smRounds: Round[] = [];
    const userRounds: Round[] = [];
    const cmkRounds: Round[] = [];
    const bareRounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      smRounds.push(await round(coffer.process.pid!, DURATION_MS / ROUNDS, { ...common, endpoint: coffer.endpoint }));
      userRounds.push(await round(coffer.process.pid!, DURATION_MS / ROUNDS, { ...common, credentials: userCreds, endpoint: coffer.endpoint }));
      cmkRounds.push(await round(coffer.process.pid!, DURATION_MS / ROUNDS, { ...common, body: cmkBody, endpoint: coffer.endpoint }));
      bareRounds.push(await round(bare.pid!, DURATION_MS / ROUNDS, { ...common, endpoint: started.endpoint }));
    }
    const sm = merge(`GetSecretValue, root (coffer, ${backend})`, smRounds);
    const user = merge(`GetSecretValue, IAM user (coffer, ${backend})`, userRounds);
    const cmk = merge(`GetSecretValue, root, customer managed key`, cmkRounds);
    const base = merge('bare node:http', bareRounds);
    console.log(table([sm, user, cmk, base]));
    for (const m of [sm, user, cmk, base]) if (m.errors) console.log(`\n${m.label}: ${m.errors} errors, first: ${m.firstError}`);
    rootCpuPerRequest = sm.serverCpuPerRequest;
    const ratio = sm.rps / base.rps;
    console.log(`\nratio: GetSecretValue (root) at ${(ratio * 100).toFixed(1)}% of the bare server's requests/s (target: 40% or more)`);
    console.log(`ratio: GetSecretValue (IAM user, 3 policies) at ${(100 * user.rps / base.rps).toFixed(1)}% of the bare server's requests/s, ${(100 * user.rps / sm.rps).toFixed(1)}% of the root user's (target: 90% or more)`);
    if (sm.serverCpuPerRequest !== undefined && user.serverCpuPerRequest !== undefined && base.serverCpuPerRequest !== undefined) {
      // What the ratio would be if the load could saturate both servers: server CPU per request.
      console.log(`server CPU per request: bare ${Math.round(base.serverCpuPerRequest)} µs, GetSecretValue ${Math.round(sm.serverCpuPerRequest)} µs as root (${(100 * base.serverCpuPerRequest / sm.serverCpuPerRequest).toFixed(1)}% of the bare server's capacity per CPU), ${Math.round(user.serverCpuPerRequest)} µs as the IAM user (${(100 * sm.serverCpuPerRequest / user.serverCpuPerRequest).toFixed(1)}% of root's capacity per CPU)`);
    }
    if (sm.serverCpuPerRequest !== undefined && cmk.serverCpuPerRequest !== undefined) {
      const extra = cmk.serverCpuPerRequest - sm.serverCpuPerRequest;
      console.log(`customer managed key: ${(100 * cmk.rps / sm.rps).toFixed(1)}% of the default key's requests/s; server CPU per request ${Math.round(cmk.serverCpuPerRequest)} µs against ${Math.round(sm.serverCpuPerRequest)} µs (${extra >= 0 ? '+' : ''}${Math.round(extra)} µs)`);
    }
    if (base.clientCpu > 0.9) {
      console.log(`note: the load processes were near their CPU limit against the bare server, so its req/s is a floor of what it can do and the req/s ratio is generous by that much; the per-CPU figure above is not.`);
    }

  } finally {
    bare?.kill('SIGTERM');
    await coffer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (env.BENCH_POLICY !== '0') {
    policySection(rootCpuPerRequest);
    kmsSection();
  }
  if (env.BENCH_ROTATION !== '0') rotationSection();
  if (env.BENCH_PG_ROTATION !== '0') pgRotationSection();
  if (env.BENCH_CLUSTER !== '0') clusterSection();
}

/** GetSecretValue with one node and with two on one PostgreSQL (bench/cluster.ts). */
function clusterSection(): void {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(HERE, 'cluster.ts')], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as ClusterSectionResult;
  const fmt = (f: ClusterSectionResult['oneNode']) => `${Math.round(f.rps).toLocaleString('en-US')} req/s (p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms${f.errors ? `, ${f.errors} errors` : ''})`;
  console.log(`
scale-out: GetSecretValue on PostgreSQL, ${r.connections} connections from ${r.clients} load processes, ${r.seconds} s each, no pinning, ${r.cpus} CPUs shared by the nodes and the load`);
  console.log(`  one node:  ${fmt(r.oneNode)}`);
  console.log(`  two nodes: ${fmt(r.twoNodes)}: ${(r.twoNodes.rps / r.oneNode.rps).toFixed(2)}× one node`);
}

/** Single-user rotations per minute against a local PostgreSQL (bench/rotation-postgres.ts). */
function pgRotationSection(): void {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(HERE, 'rotation-postgres.ts')], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as PgRotationSectionResult;
  console.log(`\nrotation: ${Math.round(r.perMinute)} rotations/min with postgresql-single-user against a local PostgreSQL (${r.rotations} in ${r.seconds.toFixed(1)} s, ${r.inflight} secrets at once, ${Math.round(r.meanMs)} ms from RotateSecret to the new AWSCURRENT): each a real password change, signed in with scram-sha-256`);
}

/** Rotations per minute through a trivial Node.js function (bench/rotation.ts), in its own server. */
function rotationSection(): void {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(HERE, 'rotation.ts')], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop()!) as RotationSectionResult;
  console.log(`\nrotation: ${Math.round(r.perMinute)} rotations/min through a trivial Node.js function (${r.rotations} in ${r.seconds.toFixed(1)} s, ${r.inflight} secrets at once, ${Math.round(r.meanMs)} ms from RotateSecret to the new AWSCURRENT): four invocations as secretsmanager.amazonaws.com, the function's calls signed with its role's session`);
}

/** Runs a bench script in a child process, pinned to the server's CPU when pinning is on; its last line is JSON. */
function pinnedChild<T>(script: string, args: string[] = []): T {
  const argv = ['--import', 'tsx', join(HERE, script), ...args];
  const out = PIN
    ? execFileSync('taskset', ['-c', SERVER_CPUS, process.execPath, ...argv], { encoding: 'utf8' })
    : execFileSync(process.execPath, argv, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** What KMS costs one GetSecretValue in-process (bench/kms.ts): authorization and unwrap. */
function kmsSection(): void {
  const r = pinnedChild<KmsSectionResult>('kms.ts');
  console.log(`\nKMS per GetSecretValue, in-process on one CPU${PIN ? ` (pinned to CPU ${SERVER_CPUS})` : ''}:`);
  console.log(`  kms:Decrypt authorization (key policy required), root: AWS managed key ${r.authorizeManagedUs.toFixed(2)} µs, customer managed key with the default key policy ${r.authorizeCustomerUs.toFixed(2)} µs`);
  console.log(`  data-key unwrap: ${r.unwrapUs.toFixed(2)} µs (AES-256-GCM under the key material), ${r.cachedUs.toFixed(2)} µs from the data-key cache (−${(r.unwrapUs - r.cachedUs).toFixed(2)} µs a read)`);
}

/**
 * Policy evaluations per second on one CPU (a child process pinned to CPU 0, the servers
 * stopped): ours, compiled once as the authorizer does, beside iam-simulate on the same
 * three policies and requests, after checking both decide every request alike.
 */
function policySection(rootServerUs: number | undefined): void {
  const r = pinnedChild<PolicySectionResult>('policy.ts', [String(Number(env.BENCH_POLICY_SECONDS ?? 3))]);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(`\npolicy evaluation, one CPU${PIN ? ` (pinned to CPU ${SERVER_CPUS})` : ''}: an IAM user with 3 attached policies (10 statements, wildcards, a variable, conditions), ${r.requests} requests cycled (${r.decisions.join(', ')}), both engines agreeing on each`);
  console.log(`  coffer (src/iam, compiled once, prepared ConditionContext): ${fmt(r.ours)} evaluations/s (target: 500,000 or more)`);
  console.log(`  @cloud-copilot/iam-simulate (runSimulation, Strict):      ${fmt(r.oracle)} evaluations/s`);
  console.log(`  ratio: coffer ${(r.ours / r.oracle).toFixed(0)}× iam-simulate`);
  const extra = r.authorizeUserUs - r.authorizeRootUs;
  console.log(`authorization hook per GetSecretValue, in-process on one CPU: root ${r.authorizeRootUs.toFixed(2)} µs, IAM user with 3 policies ${r.authorizeUserUs.toFixed(2)} µs (+${extra.toFixed(2)} µs)`
    + (rootServerUs === undefined ? '' : `: ${(100 * extra / rootServerUs).toFixed(1)}% of root's ${Math.round(rootServerUs)} µs of server CPU per request above`));
}

await main();
