import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arnKey, nameKey, SecretReadCache, stageKey, versionIdKey } from './secret-read-cache.ts';
import type { SecretRow, VersionRow } from './secret-repository.ts';

function secret(id: string, name = id): SecretRow {
  return {
    id, account_id: '111122223333', region: 'us-east-1', name, arn: `arn:aws:secretsmanager:us-east-1:111122223333:secret:${name}-abcdef`,
    description: null, kms_key_id: null, created_at: 1, last_changed_at: 1, last_accessed_at: null, last_rotated_at: null,
    deletion_date: null, deleted_at: null, rotation_enabled: null, rotation_lambda_arn: null, rotation_rules: null,
    next_rotation_at: null, tags: null, resource_policy: null, owning_service: null, primary_region: null, type: null,
  };
}

function version(id: string, bytes = 10, stages = ['AWSCURRENT']): VersionRow {
  return {
    version_id: id, seq: 1, created_at: 1, last_accessed_at: null, kms_key_id: null, value_kind: 'string',
    ciphertext: Buffer.alloc(bytes), encrypted_data_key: Buffer.alloc(10), stages,
  };
}

const byName = (name: string) => nameKey('111122223333', 'us-east-1', name);

describe('SecretReadCache', () => {
  it('returns what was put, under every key it was put under', () => {
    const cache = new SecretReadCache();
    const row = secret('s1', 'app/db');
    cache.putSecret(cache.ticket(), byName('app/db'), row);
    cache.putSecret(cache.ticket(), arnKey(row.arn), row);
    assert.equal(cache.secret(byName('app/db'))?.id, 's1');
    assert.equal(cache.secret(arnKey(row.arn))?.id, 's1');
    assert.equal(cache.secret(byName('other')), undefined);
    cache.putVersion(cache.ticket(), 's1', stageKey('AWSCURRENT'), version('v1'));
    assert.equal(cache.version('s1', stageKey('AWSCURRENT'))?.version_id, 'v1');
    assert.equal(cache.version('s1', versionIdKey('v1')), undefined);
  });

  it('invalidate drops the secret under all its keys and its versions, and nothing else', () => {
    const cache = new SecretReadCache();
    const a = secret('a');
    const b = secret('b');
    cache.putSecret(cache.ticket(), byName('a'), a);
    cache.putSecret(cache.ticket(), arnKey(a.arn), a);
    cache.putSecret(cache.ticket(), byName('b'), b);
    cache.putVersion(cache.ticket(), 'a', stageKey('AWSCURRENT'), version('v1'));
    cache.invalidate('a');
    assert.equal(cache.secret(byName('a')), undefined);
    assert.equal(cache.secret(arnKey(a.arn)), undefined);
    assert.equal(cache.version('a', stageKey('AWSCURRENT')), undefined);
    assert.equal(cache.secret(byName('b'))?.id, 'b');
    assert.deepEqual(cache.size, { secrets: 1, bytes: 1024 });
  });

  it('does not keep a read that started before a write invalidated (the read may be stale)', () => {
    const cache = new SecretReadCache();
    const ticket = cache.ticket();
    // A writer commits and invalidates while the read is in flight.
    cache.invalidate('s1');
    const returned = cache.putSecret(ticket, byName('s1'), secret('s1'));
    assert.equal(returned.id, 's1', 'the caller still gets what it read');
    assert.equal(cache.secret(byName('s1')), undefined);
    cache.putVersion(ticket, 's1', stageKey('AWSCURRENT'), version('v1'));
    assert.equal(cache.version('s1', stageKey('AWSCURRENT')), undefined);
  });

  it('hands out frozen rows, so no caller can change what the next caller reads', () => {
    const cache = new SecretReadCache();
    const row = cache.putSecret(cache.ticket(), byName('s1'), secret('s1'));
    assert.throws(() => { (row as { name: string }).name = 'changed'; }, TypeError);
    const v = cache.putVersion(cache.ticket(), 's1', stageKey('AWSCURRENT'), version('v1', 10, ['AWSCURRENT', 'x']));
    assert.throws(() => { v.stages.push('AWSPREVIOUS'); }, TypeError);
  });

  it('stays within its bounds, dropping the oldest secrets first', () => {
    const cache = new SecretReadCache({ maxSecrets: 3, maxBytes: 10_000, maxVersionsPerSecret: 2 });
    for (const id of ['a', 'b', 'c', 'd']) cache.putSecret(cache.ticket(), byName(id), secret(id));
    assert.equal(cache.size.secrets, 3);
    assert.equal(cache.secret(byName('a')), undefined);
    assert.equal(cache.secret(byName('d'))?.id, 'd');

    // Sealed bytes count: a large version pushes older secrets out.
    cache.putVersion(cache.ticket(), 'd', versionIdKey('big'), version('big', 6_000));
    assert.ok(cache.size.bytes <= 10_000, `bytes ${cache.size.bytes}`);
    assert.equal(cache.version('d', versionIdKey('big'))?.version_id, 'big');

    // Versions per secret are bounded too.
    for (const id of ['v1', 'v2', 'v3']) cache.putVersion(cache.ticket(), 'd', versionIdKey(id), version(id));
    assert.ok(cache.version('d', versionIdKey('v3')));
    assert.equal(cache.version('d', versionIdKey('v1')), undefined);
  });
});

describe('SecretReadCache with several nodes (CacheSync)', () => {
  const limits = { maxSecrets: 100, maxBytes: 1 << 20, maxVersionsPerSecret: 4 };

  it('publishes local invalidations; a remote one drops the entry without publishing, and a read that raced it is not kept', () => {
    const published: string[] = [];
    const cache = new SecretReadCache(limits, { trusted: () => true, publish: (topic, key) => published.push(`${topic} ${key}`) });
    const row = secret('s1');
    cache.putSecret(cache.ticket(), arnKey(row.arn), row);
    cache.invalidate('s1');
    assert.deepEqual(published, ['secret s1']);
    const ticket = cache.ticket();
    // Another node wrote s1 while this node's read was in flight.
    cache.dropRemote('s1');
    cache.putSecret(ticket, arnKey(row.arn), row);
    assert.equal(cache.secret(arnKey(row.arn)), undefined);
    assert.deepEqual(published, ['secret s1'], 'a remote drop is not published again');
  });

  it('while the node cannot be sure it hears every change, memory neither answers nor keeps', () => {
    let trusted = true;
    const cache = new SecretReadCache(limits, { trusted: () => trusted, publish: () => undefined });
    const row = secret('s1');
    cache.putSecret(cache.ticket(), arnKey(row.arn), row);
    cache.putVersion(cache.ticket(), 's1', stageKey('AWSCURRENT'), version('v1'));
    trusted = false;
    assert.equal(cache.secret(arnKey(row.arn)), undefined);
    assert.equal(cache.version('s1', stageKey('AWSCURRENT')), undefined);
    cache.putSecret(cache.ticket(), arnKey(secret('s2').arn), secret('s2'));
    trusted = true;
    assert.equal(cache.secret(arnKey(secret('s2').arn)), undefined, 'nothing was kept while untrusted');
    cache.clear();
    assert.equal(cache.secret(arnKey(row.arn)), undefined, 'clear() forgets everything');
    assert.deepEqual(cache.size, { secrets: 0, bytes: 0 });
  });
});
