import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSnapshot, sealSnapshot } from './payload-seal.ts';
import type { SecretSnapshot } from './snapshot.ts';

const ARN = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:app-AbCdEf';
const snapshot: SecretSnapshot = {
  accountId: '111122223333', primaryArn: ARN.replace('us-west-2', 'us-east-1'), primaryRegion: 'us-east-1', name: 'app',
  description: null, tags: null, resourcePolicy: null, owningService: null, type: null, createdAt: 1, lastChangedAt: 2,
  rotation: { enabled: null, lambdaArn: null, rules: null, lastRotatedAt: null, nextRotationAt: null },
  versions: [
    { versionId: 'v2', createdAt: 2, stages: ['AWSCURRENT'], value: { kind: 'string', text: 'hunter2-très-secret' } },
    { versionId: 'v1', createdAt: 1, stages: ['AWSPREVIOUS'], value: { kind: 'binary', bytes: Buffer.from([0, 1, 2, 255]) } },
    { versionId: 'p', createdAt: 3, stages: ['AWSPENDING'] },
  ],
};

test('values travel sealed and open with the same credential and replica ARN', () => {
  const wire = sealSnapshot(snapshot, 'the-secret-access-key', ARN);
  const text = JSON.stringify(wire);
  assert.ok(!text.includes('hunter2'), 'no plaintext on the wire');
  assert.ok(!text.includes(Buffer.from('hunter2').toString('base64').slice(0, 8)), 'no base64 plaintext on the wire');
  assert.deepEqual(openSnapshot(JSON.parse(text), 'the-secret-access-key', ARN), snapshot);
});

test('another credential or another replica ARN cannot open them', () => {
  const wire = sealSnapshot(snapshot, 'the-secret-access-key', ARN);
  assert.throws(() => openSnapshot(wire, 'another-key', ARN), { message: /could not be opened/ });
  assert.throws(() => openSnapshot(wire, 'the-secret-access-key', ARN.replace('app-', 'other-')), { message: /could not be opened/ });
});
