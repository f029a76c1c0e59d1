import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { AwsError } from '../errors.ts';
import { RequestObservers, type RequestRecord } from '../observe/request-record.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { AttemptEnd } from '../services/secretsmanager/rotation/driver.ts';
import { createMetrics } from './metrics.ts';

function record(over: Partial<RequestRecord>): RequestRecord {
  return { requestId: 'r', receivedAt: new Date(), durationMs: 2, protocol: 'awsJson', status: 200, sourceIp: '127.0.0.1', userAgent: 'ua', ...over };
}
const authenticated = {} as RequestContext;

test('requests, failures, denials and rotations land in their series; closing stops listening', async () => {
  const observers = new RequestObservers(pino({ level: 'silent' }));
  const rotationEnded = new Set<(end: AttemptEnd) => void>();
  const cache = { hits: 3, misses: 1 };
  const metrics = createMetrics({ observers, rotationEnded, caches: { demo: () => cache, off: () => undefined }, database: { dialect: 'postgres', pool: () => ({ total: 4, idle: 3, waiting: 0 }) }, liveNodes: () => 3 });

  observers.notify(record({ service: 'kms', operation: 'Decrypt', ctx: authenticated }));
  observers.notify(record({ service: 'kms', operation: 'Decrypt', ctx: authenticated, status: 400, error: new AwsError('AccessDeniedException', 'no') }));
  observers.notify(record({ service: 'kms', status: 400, error: new AwsError('ExpiredTokenException', 'old') }));
  observers.notify(record({ service: 'kms', operation: 'Decrypt', status: 500, error: new AwsError('InternalServiceError', 'x', 500), ctx: authenticated }));
  // Not an authentication failure: the request was refused after it authenticated.
  observers.notify(record({ service: 'kms', operation: 'Decrypt', status: 400, error: new AwsError('ValidationException', 'bad'), ctx: authenticated }));
  for (const listener of rotationEnded) listener({ kind: 'rotate', outcome: 'failed', secretArn: 'arn' });

  const text = (await metrics.render()).body;
  assert.match(text, /^coffer_requests_total\{service="kms",operation="Decrypt",outcome="success",code=""\} 1$/m);
  assert.match(text, /^coffer_requests_total\{service="kms",operation="Decrypt",outcome="client_error",code="AccessDeniedException"\} 1$/m);
  assert.match(text, /^coffer_requests_total\{service="kms",operation="Decrypt",outcome="server_error",code="InternalServiceError"\} 1$/m);
  assert.match(text, /^coffer_requests_total\{service="kms",operation="unknown",outcome="client_error",code="ExpiredTokenException"\} 1$/m);
  assert.match(text, /^coffer_authentication_failures_total\{code="ExpiredTokenException"\} 1$/m);
  assert.doesNotMatch(text, /coffer_authentication_failures_total\{code="ValidationException"\}/);
  assert.match(text, /^coffer_authorization_denials_total\{service="kms",operation="Decrypt"\} 1$/m);
  assert.match(text, /^coffer_rotations_total\{kind="rotate",outcome="failed"\} 1$/m);
  assert.match(text, /^coffer_cache_lookups_total\{cache="demo",result="hit"\} 3$/m);
  assert.match(text, /^coffer_cache_hit_ratio\{cache="demo"\} 0\.75$/m);
  assert.doesNotMatch(text, /cache="off"/);
  assert.match(text, /^coffer_database_pool_connections\{state="idle"\} 3$/m);
  assert.match(text, /^coffer_cluster_live_nodes 3$/m);
  assert.match(text, /^coffer_request_duration_seconds_bucket\{le="0\.0025",service="kms",operation="Decrypt"\} 4$/m);

  metrics.close();
  assert.equal(observers.active, false);
  assert.equal(rotationEnded.size, 0);
});
