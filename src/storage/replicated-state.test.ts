/**
 * withSecretLock queues a replication push (bumps `secret_replicas.wanted`) only when the write
 * changed something a replica holds: on a real (in-memory SQLite) database with the real
 * repository. The end-to-end side (no-op API calls leave replicas InSync) is in
 * test/replication-regions.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from './database.ts';
import { SecretRepository, type SecretRow } from './secret-repository.ts';

let store: Store;
let repo: SecretRepository;

const row = (id: string, primaryRegion: string | null): SecretRow => ({
  id, account_id: '111122223333', region: 'us-east-1', name: id, arn: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${id}-AbCdEf`,
  description: null, kms_key_id: null, created_at: 1, last_changed_at: 1, last_accessed_at: null, last_rotated_at: null,
  deletion_date: null, deleted_at: null, rotation_enabled: null, rotation_lambda_arn: null, rotation_rules: null,
  next_rotation_at: null, rotation_due_at: null, tags: null, resource_policy: null, owning_service: null, primary_region: primaryRegion, type: null,
});

before(async () => {
  store = await openStore('sqlite://:memory:');
  repo = new SecretRepository(store.db, store.dialect);
  await store.db.insertInto('secrets').values([row('primary', 'us-east-1'), row('plain', null)]).execute();
  await store.db.insertInto('secret_replicas').values({
    secret_id: 'primary', region: 'us-west-2', kms_key_id: null, force_overwrite: 0, status: 'InSync', status_message: null,
    removing: 0, attempts: 0, next_attempt_at: 0, wanted: 5, synced: 5, last_accessed_at: null, created_at: 1,
  }).execute();
  await repo.transaction(async (trx) => {
    await repo.insertVersion(trx, 'primary', {
      version_id: 'v1', created_at: 1, last_accessed_at: null, kms_key_id: null,
      encrypted_data_key: Buffer.from('k1'), ciphertext: Buffer.from('c1'), value_kind: 'string',
    });
    await trx.insertInto('secret_version_stages').values({ secret_id: 'primary', stage: 'AWSCURRENT', version_id: 'v1' }).execute();
  });
});
after(() => store.close());

const wanted = async () => Number((await store.db.selectFrom('secret_replicas').select('wanted').where('secret_id', '=', 'primary').executeTakeFirstOrThrow()).wanted);

test('writes a replica cannot see queue no push', async () => {
  // A rotation's lease renewal, the last read, a re-wrap of a version's data key under the primary's own key.
  await repo.withSecretLock('primary', (trx) => trx.updateTable('secrets').set({ rotation_due_at: 99, last_accessed_at: 99, kms_key_id: 'alias/mine' }).where('id', '=', 'primary').execute());
  await repo.withSecretLock('primary', (trx) => trx.updateTable('secret_versions').set({ encrypted_data_key: Buffer.from('k2'), last_accessed_at: 99 }).where('secret_id', '=', 'primary').execute());
  // Nothing written at all (a retried CreateSecret).
  await repo.withSecretLock('primary', async () => undefined);
  assert.equal(await wanted(), 5);
});

test('each change a replica holds queues one push', async () => {
  await repo.withSecretLock('primary', (trx) => trx.updateTable('secrets').set({ description: 'd' }).where('id', '=', 'primary').execute());
  assert.equal(await wanted(), 6);
  await repo.withSecretLock('primary', (trx) => trx.insertInto('secret_version_stages').values({ secret_id: 'primary', stage: 'blue', version_id: 'v1' }).execute());
  assert.equal(await wanted(), 7);
  await repo.withSecretLock('primary', (trx) => trx.updateTable('secrets').set({ rotation_enabled: 1, next_rotation_at: 5 }).where('id', '=', 'primary').execute());
  assert.equal(await wanted(), 8);
  // RotateSecret's empty placeholder being filled: same version id, now a value.
  await repo.transaction(async (trx) => {
    await repo.insertVersion(trx, 'primary', { version_id: 'v2', created_at: 2, last_accessed_at: null, kms_key_id: null, encrypted_data_key: null, ciphertext: null, value_kind: null });
  });
  await repo.withSecretLock('primary', (trx) => trx.updateTable('secret_versions').set({ encrypted_data_key: Buffer.from('k'), ciphertext: Buffer.from('c'), value_kind: 'string' })
    .where('secret_id', '=', 'primary').where('version_id', '=', 'v2').execute());
  assert.equal(await wanted(), 9);
});

test('a secret that is not a primary is not compared at all', async () => {
  await repo.withSecretLock('plain', (trx) => trx.updateTable('secrets').set({ description: 'x' }).where('id', '=', 'plain').execute());
  assert.equal(await wanted(), 9);
});
