import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeShare } from './cluster-share.ts';
import { parseRateOverride, Throttle } from './throttle.ts';
import { TokenBucket } from './token-bucket.ts';

test('a node\'s share: rate and burst divided by the live nodes, at least one token', () => {
  // One node (SQLite, or a cluster of one): exactly the quota, as before clusters shared it.
  assert.deepEqual(nodeShare(10_000, 10, 1), { rate: 10_000, capacity: 100_000 });
  assert.deepEqual(nodeShare(4, 1, 2), { rate: 2, capacity: 2 });
  assert.deepEqual(nodeShare(50, 10, 4), { rate: 12.5, capacity: 125 });
  assert.deepEqual(nodeShare(90, 10, 3), { rate: 30, capacity: 300 });
  // A low rate split many ways still holds one token (never a bucket that can admit nothing).
  assert.deepEqual(nodeShare(0.25, 1, 4), { rate: 0.0625, capacity: 1 });
  assert.deepEqual(nodeShare(3, 1, 6), { rate: 0.5, capacity: 1 });
  // Nonsense counts are one node, never a division by zero.
  assert.deepEqual(nodeShare(8, 1, 0), { rate: 8, capacity: 8 });
  assert.deepEqual(nodeShare(8, 1, Number.NaN), { rate: 8, capacity: 8 });
  assert.deepEqual(nodeShare(8, 1, 2.5), { rate: 4, capacity: 4 });
});

test('a resized bucket keeps its tokens up to the new size and refills at the new rate', () => {
  const b = new TokenBucket(10, 10, 0);
  for (let i = 0; i < 8; i++) assert.ok(b.take(0));
  b.resize(5, 5, 0); // 2 tokens left, under the new size: kept
  assert.ok(b.take(0));
  assert.ok(b.take(0));
  assert.ok(!b.take(0));
  assert.equal(b.secondsUntilToken(0), 0.2, 'refills at the new rate');
  b.resize(1, 1, 1000); // refilled to 5 at the old rate by t=1s, then cut to the new size
  assert.ok(b.take(1000));
  assert.ok(!b.take(1000));
  b.resize(20, 20, 1000); // a grown share starts from what is there, not full
  assert.ok(!b.take(1000));
  assert.ok(b.take(1050));
});

/** How many calls in a row the bucket admits at one instant. */
function admitted(t: Throttle, accountId = '111122223333'): number {
  for (let n = 0; ; n++) {
    try {
      t.check({ service: 'secretsmanager', operation: 'GetSecretValue', region: 'us-east-1', principal: { accountId } });
    } catch {
      return n;
    }
  }
}

test('Throttle: with two live nodes each bucket holds half the quota; alone again, the whole', () => {
  let now = 0;
  const t = new Throttle({ enabled: true, burstSeconds: 1, overrides: [parseRateOverride('secretsmanager:GetSecretValue=40')] }, () => now);
  t.setLiveNodes(2);
  assert.equal(admitted(t), 20, 'a new bucket: half the burst');
  now = 500;
  assert.equal(admitted(t), 10, 'refilled at half the rate');
  assert.equal(admitted(t, '444455556666'), 20, 'another account: a bucket of its own');
  // Two more nodes join: the existing buckets (refilled by now) are cut to a quarter.
  now = 2000;
  t.setLiveNodes(4);
  assert.equal(admitted(t), 10, 'a quarter of the burst');
  assert.equal(admitted(t, '444455556666'), 10);
  now = 2100;
  assert.equal(admitted(t), 1, 'refills at a quarter of the rate');
  // The peers are gone: the whole rate again, from what the bucket holds.
  t.setLiveNodes(1);
  assert.equal(admitted(t), 0);
  now = 2600;
  assert.equal(admitted(t), 20, 'half a second at the whole rate');
  now = 10_000;
  assert.equal(admitted(t), 40, 'the whole burst');
});
