/**
 * Three `coffer serve` nodes on one PostgreSQL schema, behind a load balancer that polls
 * /ready (test/helpers/cluster.ts), under a mixed read/write load from the SDK:
 * - an IAM policy change and a disabled KMS key made through one node take effect on
 *   another within a second (caches invalidated through LISTEN/NOTIFY);
 * - scheduled rotations run while the node running them is killed with SIGKILL and another
 *   node is restarted (SIGTERM, then started again): every rotation completes exactly once,
 *   resumed by another node with its token at the step it had reached;
 * - no acknowledged write is lost, every node reads the last one, and no request failed but
 *   those in flight on the killed node.
 * PostgreSQL only: the embedded SQLite database serves one node (test/serve.test.ts checks
 * that a second server on the same data dir is refused).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, RotateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateKeyCommand, DisableKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { dropPostgresSchema, newPostgresSchema, TEST_DATABASE, type Credentials, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { kmsClient } from './helpers/kms.ts';
import { sql } from './helpers/db-rows.ts';
import { Balancer, newRootKey, startNode } from './helpers/cluster.ts';
import { attemptsOf, createRotationFunction, finishedAttempt, makeRotationDue, NODE_ROTATOR } from './helpers/rotation.ts';
import { S000_SINGLE_USER } from '../src/iam/seed-examples.ts';

const skip = TEST_DATABASE === 'postgres' ? false : 'several nodes need PostgreSQL (COFFER_TEST_DATABASE=postgres); SQLite serves one node';
const NODE_ARGS = ['--drain-grace-ms', '1000'];
const ROOT: Credentials = { accessKeyId: 'AKIACLUSTERTEST00001', secretAccessKey: 'cluster-test-root-secret-0000000000000000' };

let databaseUrl: string;
const rootKey = newRootKey();
const servers = new Map<string, TestServer>();
const everyServer: TestServer[] = [];

async function start(name: string, dataDir?: string): Promise<TestServer> {
  const server = await startNode({ databaseUrl, root: ROOT, rootKey, args: NODE_ARGS, dataDir });
  servers.set(name, server);
  everyServer.push(server);
  return server;
}

before(async () => {
  if (skip) return;
  databaseUrl = await newPostgresSchema();
  // The first node creates the schema and the account; the others join it.
  await start('a');
  await Promise.all([start('b'), start('c')]);
});

after(async () => {
  if (skip) return;
  for (const s of everyServer) await s.stop();
  for (const s of everyServer) (await import('node:fs')).rmSync(s.dataDir, { recursive: true, force: true });
  await dropPostgresSchema(databaseUrl);
});

/** Polls `check` every 20 ms; resolves to how long it took to become true. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return Date.now() - t0;
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const denied = (err: unknown) => (err as Error).name === 'AccessDeniedException';

describe('three nodes on one PostgreSQL', { skip }, () => {
  test('a policy change and a disabled key made on node A hold on node B within a second', async () => {
    const a = servers.get('a')!;
    const b = servers.get('b')!;
    const secret = await secretsManager(a).send(new CreateSecretCommand({ Name: 'cluster/policy', SecretString: 'v' }));
    const iamA = iamClient(a);
    const user = await userWithKey(iamA, 'cluster-reader');
    const policy = (effect: string) => JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'secretsmanager:GetSecretValue', Resource: secret.ARN }],
    });
    await iamA.send(new PutUserPolicyCommand({ UserName: 'cluster-reader', PolicyName: 'read', PolicyDocument: policy('Allow') }));
    const asUserOnB = secretsManager(b, { credentials: user.credentials });
    // Node B learns the user's policies (and caches them).
    await within(2000, 'the user can read on node B', async () => {
      try {
        return (await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN }))).SecretString === 'v';
      } catch (err) {
        if (denied(err)) return false;
        throw err;
      }
    });
    await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN }));

    await iamA.send(new PutUserPolicyCommand({ UserName: 'cluster-reader', PolicyName: 'read', PolicyDocument: policy('Deny') }));
    const took = await within(1000, 'node B denies after the policy changed on node A', async () => {
      try {
        await asUserOnB.send(new GetSecretValueCommand({ SecretId: secret.ARN }));
        return false;
      } catch (err) {
        if (denied(err)) return true;
        throw err;
      }
    });
    assert.ok(took < 1000, `took ${took} ms`);

    const kmsA = kmsClient(a);
    const kmsB = kmsClient(b);
    const key = (await kmsA.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kmsB.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    await kmsA.send(new DisableKeyCommand({ KeyId: key }));
    await within(1000, 'node B refuses a key disabled on node A', async () => {
      try {
        await kmsB.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
        return false;
      } catch (err) {
        if ((err as Error).name === 'DisabledException') return true;
        throw err;
      }
    });
  });

  test('SIGKILL one node and restart another under load: nothing acknowledged lost, rotations run once', async (t) => {
    const a = servers.get('a')!;
    const smA = secretsManager(a);

    // Rotations whose setSecret takes 3 s, so a node can be killed in the middle of one.
    const fn = await createRotationFunction(a, {
      runtime: 'nodejs20.x',
      rolePolicy: (arn) => S000_SINGLE_USER.replaceAll('<lambda_arn>', arn),
      code: NODE_ROTATOR.replace('setTimeout(r, 60000)', 'setTimeout(r, 3000)'),
      env: { HANG_STEP: 'setSecret' },
    });
    const rotating: { arn: string; initial: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await smA.send(new CreateSecretCommand({ Name: `cluster/rotating-${i}`, SecretString: JSON.stringify({ username: 'app', password: `p${i}` }) }));
      // RotateImmediately=false: only testSecret now (no hang); the schedule rotates later.
      await smA.send(new RotateSecretCommand({ SecretId: s.ARN, RotationLambdaARN: fn.arn, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
      rotating.push({ arn: s.ARN!, initial: s.VersionId! });
    }
    for (const s of rotating) assert.equal((await finishedAttempt(a, s.arn, 60_000)).outcome, 'succeeded');

    const lb = new Balancer();
    for (const [name, server] of servers) lb.add(name, server);
    const WRITERS = 4;
    const loadNames: string[] = [];
    for (let k = 0; k < WRITERS; k++) {
      loadNames.push((await smA.send(new CreateSecretCommand({ Name: `cluster/load-${k}`, SecretString: 'v0' }))).Name!);
    }
    // acks[k][i]: when value v<i> of load secret k was acknowledged (writers add secrets as they go).
    const acks: number[][] = loadNames.map(() => [0]);
    let stopping = false;
    let staleBeyondASecond = 0;
    let reads = 0;
    const check = (k: number, value: string, readStartedAt: number) => {
      reads++;
      const got = Number(value.slice(1));
      // Every value acknowledged more than a second before the read began must be visible.
      let mustSee = 0;
      for (let i = acks[k]!.length - 1; i >= 0; i--) if (acks[k]![i]! < readStartedAt - 1000) { mustSee = i; break; }
      if (got < mustSee) staleBeyondASecond++;
    };
    const read = async (k: number) => {
      const t = Date.now();
      const out = await lb.send('GetSecretValue', (sm) => sm.send(new GetSecretValueCommand({ SecretId: loadNames[k] })));
      check(k, out.SecretString!, t);
    };
    const failures: unknown[] = [];
    const loops: Promise<void>[] = [];
    let created = 0;
    for (let k = 0; k < WRITERS; k++) {
      loops.push((async () => {
        let slot = k;
        for (let i = 1; !stopping; i++) {
          // A secret holds at most 100 versions (AWS's quota): move on to a new one before that.
          if (i > 90) {
            const name = `cluster/load-${k}-${++created}`;
            try {
              await lb.send('CreateSecret', (sm) => sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v0' })));
            } catch (err) {
              failures.push(err);
              continue;
            }
            acks.push([0]);
            slot = loadNames.push(name) - 1;
            i = 1;
          }
          try {
            await lb.send('PutSecretValue', (sm) => sm.send(new PutSecretValueCommand({ SecretId: loadNames[slot], SecretString: `v${i}` })));
            acks[slot]![i] = Date.now();
          } catch (err) {
            failures.push(err);
            // Unknown whether it committed: the next write supersedes it either way.
            acks[slot]![i] = Number.POSITIVE_INFINITY;
          }
          await read(slot).catch((err) => failures.push(err));
        }
      })());
    }
    for (let r = 0; r < 4; r++) {
      loops.push((async () => {
        while (!stopping) await read(Math.floor(Math.random() * loadNames.length)).catch((err) => failures.push(err));
      })());
    }

    // The windows come; some node's scheduler claims them (within its 5 s scan).
    for (const s of rotating) await makeRotationDue(a, s.arn);
    const nodeOf = async (nodeId: string) => {
      const { rows } = await sql(a, 'select description from {schema}cluster_nodes where node_id = $1', [nodeId]);
      const pid = Number(String(rows[0]?.description ?? '').split(':').at(-1));
      return [...servers.entries()].find(([, s]) => s.process.pid === pid)?.[0];
    };
    // Wait for a rotation past createSecret (its setSecret sleeping), and kill the node running it.
    let victim: string | undefined;
    let interruptedArn: string | undefined;
    await within(20_000, 'a rotation reaches setSecret', async () => {
      for (const s of rotating) {
        const { rows } = await sql(a, `select node_id, steps from {schema}rotation_attempts a join {schema}secrets s on s.id = a.secret_id
          where s.arn = $1 and a.kind = 'rotate' and a.outcome = 'running'`, [s.arn]);
        const row = rows[0];
        if (row && String(row.steps).includes('createSecret')) {
          victim = await nodeOf(String(row.node_id));
          interruptedArn = s.arn;
          return victim !== undefined;
        }
      }
      return false;
    });
    const killed = servers.get(victim!)!;
    const killedAt = Date.now();
    killed.process.kill('SIGKILL');
    await new Promise((resolve) => killed.process.once('exit', resolve));
    const killEnded = Date.now();
    lb.remove(victim!);

    // A rolling restart of another node: SIGTERM drains it (the balancer sees /ready 503), then it comes back.
    const restartName = [...servers.keys()].find((n) => n !== victim)!;
    const restarting = servers.get(restartName)!;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await restarting.stop(), 0, 'a drained node exits 0');
    lb.remove(restartName);
    const restarted = await start(restartName, restarting.dataDir);
    lb.add(restartName, restarted);

    // Every rotation completes: the killed node's after its lease ends, on another node.
    for (const s of rotating) {
      await within(45_000, `rotation of ${s.arn} completes`, async () => (await attemptsOf(a, s.arn)).find((x) => x.kind === 'rotate')?.outcome === 'succeeded');
    }
    // More load on the healed cluster, then stop it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    stopping = true;
    await Promise.all(loops);
    lb.close();

    // No request failed but those in flight on the killed node when it died.
    const bad = lb.records.filter((r) => r.error && !(r.node === victim && r.startedAt <= killEnded && r.endedAt >= killedAt));
    assert.deepEqual(bad, [], `requests failed: ${JSON.stringify(bad.slice(0, 5))}`);
    assert.equal(failures.length, lb.records.filter((r) => r.error).length);
    assert.equal(staleBeyondASecond, 0, `${staleBeyondASecond} of ${reads} reads missed a write acknowledged more than a second before`);
    assert.ok(reads > 50, `only ${reads} reads`);
    const inFlightOnKilled = lb.records.filter((r) => r.error).length;
    t.diagnostic(`${lb.records.length} requests (${reads} reads checked), ${inFlightOnKilled} failed in flight on the SIGKILLed node, ${lb.redirected} redirected after finding a node gone`);

    // No acknowledged write lost: every live node reads the last value acknowledged.
    for (const server of [...servers.entries()].filter(([n]) => n !== victim).map(([, s]) => s)) {
      const sm = secretsManager(server);
      for (const [k, name] of loadNames.entries()) {
        let last = acks[k]!.length - 1;
        while (last > 0 && !Number.isFinite(acks[k]![last])) last--;
        const got = (await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
        assert.ok(Number(got!.slice(1)) >= last, `${name} on ${server.endpoint}: ${got}, acknowledged v${last}`);
      }
    }

    const smLive = secretsManager(restarted);
    // Every scheduled rotation ran once: one token, one success with the four steps once each,
    // exactly one new version, AWSCURRENT on it.
    for (const s of rotating) {
      const attempts = (await attemptsOf(a, s.arn)).filter((x) => x.kind === 'rotate');
      const tokens = new Set(attempts.map((x) => x.token));
      assert.equal(tokens.size, 1, JSON.stringify(attempts));
      const succeeded = attempts.filter((x) => x.outcome === 'succeeded');
      assert.equal(succeeded.length, 1, JSON.stringify(attempts));
      assert.deepEqual(succeeded[0]!.steps.map((x) => x.step), ['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
      assert.deepEqual(succeeded[0]!.steps.map((x) => x.outcome), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      const [token] = tokens;
      const d = await smLive.send(new DescribeSecretCommand({ SecretId: s.arn }));
      assert.deepEqual(d.VersionIdsToStages, { [token!]: ['AWSCURRENT'], [s.initial]: ['AWSPREVIOUS'] });
      const versions = await smLive.send(new ListSecretVersionIdsCommand({ SecretId: s.arn, IncludeDeprecated: true }));
      assert.equal(versions.Versions!.length, 2);
    }
    // The one cut short by the kill was resumed elsewhere at setSecret, with its token.
    const resumed = (await attemptsOf(a, interruptedArn!)).filter((x) => x.kind === 'rotate');
    assert.ok(resumed.some((x) => x.outcome === 'interrupted'), JSON.stringify(resumed));
    const winner = resumed.find((x) => x.outcome === 'succeeded')!;
    assert.equal(winner.trigger, 'retry');
    // The steps it had completed were carried over, not invoked again (same start and duration).
    const cut = resumed.filter((x) => x.outcome === 'interrupted').sort((x, y) => y.steps.length - x.steps.length)[0]!;
    assert.ok(cut.steps.length >= 1, JSON.stringify(resumed));
    assert.deepEqual(winner.steps.slice(0, cut.steps.length), cut.steps);
  });
});
