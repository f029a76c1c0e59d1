/**
 * Applying a replica is ordered by the primary's change counter, and the worker pushes only
 * while holding its lease: on a real (in-memory SQLite) database with the real repository,
 * key store and envelope encryption.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { openStore, type Store } from '../../../storage/database.ts';
import { SecretRepository, type SecretRow } from '../../../storage/secret-repository.ts';
import { KeyStore } from '../../kms/key-store.ts';
import { blobKeyId } from '../../kms/data-keys.ts';
import { open, seal } from '../../../crypto/aead.ts';
import { databaseLeases } from '../../../cluster/leases.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { openValue, sealValue } from '../secret-value.ts';
import { applySnapshot } from './apply.ts';
import { addReplicas, replicaArn } from './replica-store.ts';
import { ReplicationRoutes } from './routes.ts';
import type { SecretSnapshot } from './snapshot.ts';
import { startReplicationWorker } from './worker.ts';

const ACCOUNT = '111122223333';
const PRIMARY_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:app-AbCdEf`;
const REPLICA_ARN = replicaArn(PRIMARY_ARN, 'us-west-2');
const target = { region: 'us-west-2', kmsKeyId: null, force: false };
const log = pino({ level: 'silent' });

let store: Store;
let deps: SecretsManagerDeps;

before(async () => {
  store = await openStore('sqlite://:memory:');
  const rootKey = randomBytes(32);
  const keys = new KeyStore(store.db, { seal: (p, aad) => seal(rootKey, p, aad), open: (c, aad) => open(rootKey, c, aad) });
  const repo = new SecretRepository(store.db, store.dialect);
  deps = { repo, keys, now: () => Date.now(), replication: { routes: new ReplicationRoutes(['us-east-1', 'us-west-2'], new Map()), kick: () => undefined } };
});
after(() => store.close());

/** The primary as it was at change `change`: one version per value, the last one AWSCURRENT. */
function snapshot(change: number, values: string[]): SecretSnapshot {
  return {
    change, accountId: ACCOUNT, primaryArn: PRIMARY_ARN, primaryRegion: 'us-east-1', name: 'app',
    description: `as of change ${change}`, tags: null, resourcePolicy: null, owningService: null, type: null,
    createdAt: 1, lastChangedAt: change,
    rotation: { enabled: null, lambdaArn: null, rules: null, lastRotatedAt: null, nextRotationAt: null },
    versions: values.map((text, i) => ({
      versionId: `version-${text}`, createdAt: i + 1, stages: i === values.length - 1 ? ['AWSCURRENT'] : [], value: { kind: 'string' as const, text },
    })).reverse(),
  };
}

/** A pass that did work: runOnce answers 0 while the start-up pass is still running, so it asks again. */
async function pushes(worker: { runOnce(): Promise<number> }): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const n = await worker.runOnce();
    if (n > 0) return n;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return 0;
}

/** The replica's description, version ids and current value, read back and opened. */
async function replica(): Promise<{ description: string | null; versions: string[]; current: string; change: number }> {
  const row = (await deps.repo.byArn(REPLICA_ARN))!;
  const versions = await deps.repo.versions(row.id);
  const cur = versions.find((v) => v.stages.includes('AWSCURRENT'))!;
  const blob = Buffer.from(cur.encrypted_data_key!);
  const key = (await deps.keys.getKey(blobKeyId(blob)!))!;
  const value = await openValue(deps, key, REPLICA_ARN, cur.version_id, { encryptedDataKey: blob, ciphertext: Buffer.from(cur.ciphertext!), kind: 'string' });
  const applied = await store.db.selectFrom('replica_applied').select('change').where('secret_id', '=', row.id).executeTakeFirstOrThrow();
  return { description: row.description, versions: versions.map((v) => v.version_id).sort(), current: value.kind === 'string' ? value.text : '', change: Number(applied.change) };
}

test('a push older than what the replica holds changes nothing; a newer one applies', async () => {
  await applySnapshot(deps, snapshot(10, ['a', 'b']), target);
  assert.deepEqual(await replica(), { description: 'as of change 10', versions: ['version-a', 'version-b'], current: 'b', change: 10 });

  const late = await applySnapshot(deps, snapshot(5, ['a']), target);
  assert.equal(late.stale, true);
  const again = await applySnapshot(deps, snapshot(10, ['a']), target);
  assert.equal(again.stale, true, 'the same change is not applied twice');
  assert.deepEqual(await replica(), { description: 'as of change 10', versions: ['version-a', 'version-b'], current: 'b', change: 10 });

  const newer = await applySnapshot(deps, snapshot(11, ['b', 'c']), target);
  assert.equal(newer.stale, false);
  assert.deepEqual(await replica(), { description: 'as of change 11', versions: ['version-b', 'version-c'], current: 'c', change: 11 });
});

test('two pushes racing leave the replica at the newer change, whichever lands first', async () => {
  for (const order of [[12, 13], [15, 14]]) {
    const newest = Math.max(...order);
    await Promise.all(order.map((change) => applySnapshot(deps, snapshot(change, ['c', `v${change}`]), target)));
    assert.deepEqual(await replica(), { description: `as of change ${newest}`, versions: ['version-c', `version-v${newest}`], current: `v${newest}`, change: newest });
  }
});

test('the worker pushes only on the node holding the secret-replication lease, and hands it over on stop', async () => {
  // A primary with one value and a replica region queued, as CreateSecret with AddReplicaRegions leaves them.
  const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:leased-QwErTy`;
  const row: SecretRow = {
    id: randomUUID(), account_id: ACCOUNT, region: 'us-east-1', name: 'leased', arn, description: null, kms_key_id: null,
    created_at: 1, last_changed_at: 1, last_accessed_at: null, last_rotated_at: null, deletion_date: null, deleted_at: null,
    rotation_enabled: null, rotation_lambda_arn: null, rotation_rules: null, next_rotation_at: null, tags: null,
    resource_policy: null, owning_service: null, primary_region: null, type: null, rotation_due_at: null,
  } as SecretRow;
  const key = await deps.keys.secretsManagerKey(ACCOUNT, 'us-east-1');
  await deps.keys.material(key, key.currentMaterial);
  const sealed = await sealValue(deps, key, arn, 'v1', { kind: 'string', text: 'one' });
  await deps.repo.transaction(async (trx) => {
    await trx.insertInto('secrets').values(row).execute();
    await deps.repo.insertVersion(trx, row.id, {
      version_id: 'v1', created_at: 1, last_accessed_at: null, kms_key_id: null,
      encrypted_data_key: sealed.encryptedDataKey, ciphertext: sealed.ciphertext, value_kind: sealed.kind,
    });
    await trx.insertInto('secret_version_stages').values({ secret_id: row.id, stage: 'AWSCURRENT', version_id: 'v1' }).execute();
    await addReplicas(trx, row, [{ region: 'us-west-2', kmsKeyId: null }], false, Date.now());
  });
  const queue = async () => store.db.selectFrom('secret_replicas').select(['wanted', 'synced', 'status']).where('secret_id', '=', row.id).executeTakeFirstOrThrow();
  const behind = async () => { const q = await queue(); return Number(q.synced) < Number(q.wanted); };

  const routes = deps.replication!.routes;
  const lease = (node: string) => ({ leases: databaseLeases(store.db, node), name: 'secret-replication' });
  // Another node holds the lease while both start, so neither start-up pass pushes; a long
  // interval, so only the passes below run.
  const other = lease('node-x');
  assert.equal(await other.leases.acquire(other.name, 60_000), true);
  const nodeA = startReplicationWorker(deps, routes, log, 60_000, lease('node-a'));
  const nodeB = startReplicationWorker(deps, routes, log, 60_000, lease('node-b'));
  try {
    assert.equal(await nodeA.runOnce(), 0);
    assert.equal(await behind(), true, 'nobody pushed while node x held the lease');
    await other.leases.release(other.name);
    assert.ok(await pushes(nodeA) >= 1);
    assert.equal(await behind(), false, 'pushed by node a');
    assert.equal((await queue()).status, 'InSync');
    assert.equal((await deps.repo.byArn(replicaArn(arn, 'us-west-2')))?.primary_region, 'us-east-1');

    // A change of the primary: only the holder pushes it.
    await store.db.updateTable('secret_replicas').set((eb) => ({ wanted: eb('wanted', '+', 1) })).where('secret_id', '=', row.id).execute();
    assert.equal(await nodeB.runOnce(), 0, 'node b does not hold the lease');
    assert.equal(await behind(), true);
    assert.ok(await nodeA.runOnce() >= 1);
    assert.equal(await behind(), false);

    // A clean stop hands the lease over at once.
    await store.db.updateTable('secret_replicas').set((eb) => ({ wanted: eb('wanted', '+', 1) })).where('secret_id', '=', row.id).execute();
    await nodeA.stop();
    assert.ok(await pushes(nodeB) >= 1);
    assert.equal(await behind(), false);
  } finally {
    await nodeA.stop();
    await nodeB.stop();
  }
});

test('a replica written for a region removed while the push ran is deleted again', async () => {
  const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:removed-AsDfGh`;
  const row = {
    id: randomUUID(), account_id: ACCOUNT, region: 'us-east-1', name: 'removed', arn, description: null, kms_key_id: null,
    created_at: 1, last_changed_at: 1, last_accessed_at: null, last_rotated_at: null, deletion_date: null, deleted_at: null,
    rotation_enabled: null, rotation_lambda_arn: null, rotation_rules: null, next_rotation_at: null, tags: null,
    resource_policy: null, owning_service: null, primary_region: null, type: null, rotation_due_at: null,
  } as SecretRow;
  // RemoveRegionsFromReplication lands while the worker reads the primary: its row goes
  // (the replica did not exist yet, so there was nothing for it to delete).
  const repo = Object.create(deps.repo) as typeof deps.repo;
  repo.versions = async (id, db) => {
    if (id === row.id) await store.db.deleteFrom('secret_replicas').where('secret_id', '=', row.id).execute();
    return deps.repo.versions(id, db);
  };
  // Held elsewhere while the worker starts, so its start-up pass does nothing.
  const other = { leases: databaseLeases(store.db, 'node-x'), name: 'secret-replication' };
  assert.equal(await other.leases.acquire(other.name, 60_000), true);
  const worker = startReplicationWorker({ ...deps, repo }, deps.replication!.routes, log, 60_000, { leases: databaseLeases(store.db, 'node-c'), name: 'secret-replication' });
  try {
    await deps.repo.transaction(async (trx) => {
      await trx.insertInto('secrets').values(row).execute();
      await addReplicas(trx, row, [{ region: 'us-west-2', kmsKeyId: null }], false, Date.now());
    });
    await other.leases.release(other.name);
    assert.ok(await pushes(worker) >= 1);
    assert.equal(await deps.repo.byArn(replicaArn(arn, 'us-west-2')), undefined);
  } finally {
    await worker.stop();
  }
});
