/**
 * Concurrent writers on one secret never lose an acknowledged version and never leave two
 * AWSCURRENT. On PostgreSQL the writers are two server processes sharing one database; on
 * SQLite, two clients of one server. Readers running alongside always see a whole version.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand,
  UpdateSecretVersionStageCommand, type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';

const ROUNDS = 4;
const PUTS_PER_WRITER = 8; // 2 writers × 4 rounds × 8 stays under the 100-version limit.
const MOVES_PER_WRITER = 6;
const READS_PER_WRITER = 6;

const valueOf = (versionId: string) => `value-of-${versionId}`;

interface Failure { op: string; name: string; status?: number; message: string }

describe(`parallel PutSecretValue and UpdateSecretVersionStage on one secret (${TEST_DATABASE})`, () => {
  const servers: TestServer[] = [];
  let writers: SecretsManagerClient[];

  before(async () => {
    // Every region, so the last test can race both nodes to a region's first secret.
    const first = await startServer({ args: ['--region', 'any'] });
    servers.push(first);
    if (TEST_DATABASE === 'postgres') {
      // A second node on the same database: it needs the same root key, and no data of its own.
      const rootKey = readFileSync(join(first.dataDir, 'root.key'), 'utf8').trim();
      servers.push(await startServer({ databaseUrl: first.databaseUrl, root: first.root, env: { COFFER_ROOT_KEY: rootKey }, args: ['--region', 'any'] }));
      assert.equal(servers[1]!.accountId, first.accountId);
    }
    writers = [secretsManager(servers[0]!), secretsManager(servers[1] ?? servers[0]!)];
  });
  // The second node first: the first one's destroy drops the shared schema.
  after(async () => { for (const s of [...servers].reverse()) await s.destroy(); });

  test('no acknowledged version is lost, labels stay unique, readers see whole versions', async () => {
    const name = `concurrency/${randomUUID()}`;
    const initial = randomUUID();
    await writers[0]!.send(new CreateSecretCommand({ Name: name, SecretString: valueOf(initial), ClientRequestToken: initial }));

    const acknowledged = new Set<string>([initial]);
    const failures: Failure[] = [];
    let lastSeenCurrent: string = initial;
    let lastSeenCanary: string | undefined;
    let moves = 0;
    let reads = 0;
    const record = (op: string) => (err: unknown) => {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      failures.push({ op, name: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
    };

    for (let round = 0; round < ROUNDS; round++) {
      const known = [...acknowledged];
      const calls: Promise<unknown>[] = [];
      for (const sm of writers) {
        for (let i = 0; i < PUTS_PER_WRITER; i++) {
          const token = randomUUID();
          calls.push(sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token, SecretString: valueOf(token) })).then((out) => {
            assert.equal(out.VersionId, token);
            assert.deepEqual(out.VersionStages, ['AWSCURRENT']);
            acknowledged.add(token);
          }, record('PutSecretValue')));
        }
        for (let i = 0; i < MOVES_PER_WRITER; i++) {
          const target = known[(round * 7 + i * 3) % known.length]!;
          // Half move AWSCURRENT from where this client last saw it (often stale by now: the
          // server must then refuse, changing nothing); half move a custom label.
          const input = i % 2 === 0
            ? { SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: target, RemoveFromVersionId: lastSeenCurrent }
            : { SecretId: name, VersionStage: 'canary', MoveToVersionId: target, RemoveFromVersionId: lastSeenCanary };
          calls.push(sm.send(new UpdateSecretVersionStageCommand(input)).then(() => {
            moves++;
            if (input.VersionStage === 'canary') lastSeenCanary = target;
          }, record(`UpdateSecretVersionStage ${input.VersionStage}`)));
        }
        for (let i = 0; i < READS_PER_WRITER; i++) {
          calls.push(sm.send(new GetSecretValueCommand({ SecretId: name })).then((out) => {
            assert.equal(out.SecretString, valueOf(out.VersionId!), 'a reader saw a label on the wrong value');
            assert.ok(out.VersionStages!.includes('AWSCURRENT'));
            lastSeenCurrent = out.VersionId!;
            reads++;
          }, record('GetSecretValue')));
        }
      }
      await Promise.all(calls);
    }

    // A label move naming a holder that another writer has moved on from is refused (the
    // client re-reads and retries); nothing else may fail, and never with a server error.
    const unexpected = failures.filter((f) => !(f.op.startsWith('UpdateSecretVersionStage') && f.name === 'InvalidParameterException'
      && /RemoveFromVersionId (doesn't match the version|can't be empty)/.test(f.message)));
    assert.deepEqual(unexpected, []);
    assert.equal(acknowledged.size, 1 + ROUNDS * writers.length * PUTS_PER_WRITER, 'every PutSecretValue was acknowledged');
    assert.equal(reads, ROUNDS * writers.length * READS_PER_WRITER);
    assert.ok(moves > 0);

    for (const sm of writers) {
      const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true, MaxResults: 100 }));
      assert.equal(listed.NextToken, undefined);
      const versions = new Map((listed.Versions ?? []).map((v) => [v.VersionId!, v.VersionStages ?? []]));
      for (const id of acknowledged) assert.ok(versions.has(id), `acknowledged version ${id} is missing`);

      const holders = new Map<string, string[]>();
      for (const [id, stages] of versions) for (const s of stages) holders.set(s, [...(holders.get(s) ?? []), id]);
      assert.equal(holders.get('AWSCURRENT')?.length, 1, 'exactly one AWSCURRENT');
      assert.ok((holders.get('AWSPREVIOUS')?.length ?? 0) <= 1, 'at most one AWSPREVIOUS');
      for (const [stage, ids] of holders) assert.equal(ids.length, 1, `${stage} is on ${ids.length} versions`);
      const current = holders.get('AWSCURRENT')![0]!;
      assert.notEqual(holders.get('AWSPREVIOUS')?.[0], current, 'AWSPREVIOUS is never the current version');
      assert.ok(acknowledged.has(current));

      // DescribeSecret tells the same story.
      const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
      const labelled = Object.fromEntries([...versions].filter(([, s]) => s.length > 0).map(([id, s]) => [id, [...s].sort()]));
      const fromDescribe = Object.fromEntries(Object.entries(described.VersionIdsToStages ?? {}).map(([id, s]) => [id, [...s].sort()]));
      assert.deepEqual(fromDescribe, labelled);

      // Every acknowledged version still holds its own value.
      const got = await sm.send(new GetSecretValueCommand({ SecretId: name }));
      assert.equal(got.VersionId, current);
      assert.equal(got.SecretString, valueOf(current));
    }
    await Promise.all([...acknowledged].map(async (id) => {
      const got = await writers[1]!.send(new GetSecretValueCommand({ SecretId: name, VersionId: id }));
      assert.equal(got.SecretString, valueOf(id));
    }));
  });

  test('parallel first secrets of a region (its managed key is created once) all succeed on every node', async () => {
    // The first secret in a region creates that region's aws/secretsmanager key; the nodes
    // race to create it and must converge on one key, or one node could not read the other's.
    const region = 'eu-west-3';
    const clients = (servers.length > 1 ? servers : [servers[0]!, servers[0]!]).map((s) => secretsManager(s, { region }));
    const names = Array.from({ length: 20 }, (_, i) => `concurrency/first-${i}-${randomUUID()}`);
    await Promise.all(names.map((n, i) => clients[i % 2]!.send(new CreateSecretCommand({ Name: n, SecretString: valueOf(n) }))));
    await Promise.all(names.map(async (n, i) => {
      const got = await clients[(i + 1) % 2]!.send(new GetSecretValueCommand({ SecretId: n }));
      assert.equal(got.SecretString, valueOf(n));
    }));
  });
});
