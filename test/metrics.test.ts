/**
 * /metrics, /health and /ready as an operator's scraper and load balancer see them: requests
 * counted by service, operation and outcome, latency histograms, authentication failures,
 * denials, cache hit counts, pool gauges (PostgreSQL), process metrics, and a separate
 * metrics listener.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startServer, TEST_DATABASE, type TestServer } from './helpers/server.ts';
import { secretsManager } from './helpers/clients.ts';
import { iamClient, userWithKey } from './helpers/iam.ts';
import { rejectsWith } from './helpers/secrets.ts';
import { signedRequest } from './helpers/raw.ts';

interface Fetched {
  status: number;
  contentType: string;
  body: string;
}

async function get(url: string): Promise<Fetched> {
  const res = await fetch(url);
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** The value of one sample in Prometheus text: `name{labels}` with exactly these labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]!] = pair[2]!;
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('metrics on the API listener', () => {
  let server: TestServer;
  let sm: SecretsManagerClient;
  before(async () => {
    server = await startServer();
    sm = secretsManager(server);
  });
  after(() => server?.destroy());

  test('/health and /ready answer 200 while the database is reachable', async () => {
    const health = await get(`${server.endpoint}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
    const ready = await get(`${server.endpoint}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(JSON.parse(ready.body), { status: 'ready' });
  });

  test('requests are counted by service, operation and outcome, with latency histograms', async () => {
    const value = 'metrics-secret-value-7c1e';
    await sm.send(new CreateSecretCommand({ Name: 'metrics/one', SecretString: value }));
    for (let i = 0; i < 3; i++) assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: 'metrics/one' }))).SecretString, value);
    await rejectsWith(sm.send(new GetSecretValueCommand({ SecretId: 'metrics/missing' })), 'ResourceNotFoundException');

    const page = await get(`${server.endpoint}/metrics?scrape=1`);
    assert.equal(page.status, 200);
    assert.match(page.contentType, /^text\/plain; version=0\.0\.4/);
    const text = page.body;
    assert.equal(sample(text, 'coffer_requests_total', { service: 'secretsmanager', operation: 'CreateSecret', outcome: 'success', code: '' }), 1);
    assert.equal(sample(text, 'coffer_requests_total', { service: 'secretsmanager', operation: 'GetSecretValue', outcome: 'success', code: '' }), 3);
    assert.equal(sample(text, 'coffer_requests_total', { service: 'secretsmanager', operation: 'GetSecretValue', outcome: 'client_error', code: 'ResourceNotFoundException' }), 1);
    assert.equal(sample(text, 'coffer_request_duration_seconds_count', { service: 'secretsmanager', operation: 'GetSecretValue' }), 4);
    assert.equal(sample(text, 'coffer_request_duration_seconds_bucket', { service: 'secretsmanager', operation: 'GetSecretValue', le: '+Inf' }), 4);
    assert.ok(sample(text, 'coffer_request_duration_seconds_sum', { service: 'secretsmanager', operation: 'GetSecretValue' })! > 0);
    // The value's data key is unwrapped once, then found in the cache by the next reads.
    assert.ok(sample(text, 'coffer_cache_lookups_total', { cache: 'kms_data_key', result: 'hit' })! >= 2, text);
    assert.ok(sample(text, 'coffer_cache_hit_ratio', { cache: 'kms_data_key' })! > 0);
    assert.ok(sample(text, 'coffer_cache_lookups_total', { cache: 'principal_policy', result: 'hit' })! >= 1);
    if (TEST_DATABASE === 'sqlite') {
      assert.ok(sample(text, 'coffer_cache_lookups_total', { cache: 'secret_read', result: 'hit' })! >= 1);
      assert.equal(sample(text, 'coffer_database_info', { dialect: 'sqlite' }), 1);
    } else {
      assert.equal(sample(text, 'coffer_database_info', { dialect: 'postgres' }), 1);
      assert.ok(sample(text, 'coffer_database_pool_connections', { state: 'total' })! >= 1, text);
      assert.equal(typeof sample(text, 'coffer_database_pool_connections', { state: 'waiting' }), 'number');
    }
    // One server on its own database: it shares no quota.
    assert.equal(sample(text, 'coffer_cluster_live_nodes'), 1);
    // Process metrics from prom-client's defaults.
    assert.ok(sample(text, 'process_cpu_user_seconds_total')! > 0);
    assert.ok(sample(text, 'process_resident_memory_bytes')! > 0);
    assert.ok(text.includes('nodejs_eventloop_lag_seconds'));
    // Labels never carry a secret's name or value.
    assert.ok(!text.includes('metrics/one') && !text.includes(value));
  });

  test('authentication failures are counted by code, denials by operation', async () => {
    const wrongSecret = secretsManager(server, { credentials: { accessKeyId: server.root.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await rejectsWith(wrongSecret.send(new GetSecretValueCommand({ SecretId: 'metrics/one' })), 'InvalidSignatureException');
    const unknownKey = secretsManager(server, { credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' } });
    await rejectsWith(unknownKey.send(new GetSecretValueCommand({ SecretId: 'metrics/one' })), 'UnrecognizedClientException');
    await rejectsWith(unknownKey.send(new GetSecretValueCommand({ SecretId: 'metrics/one' })), 'UnrecognizedClientException');

    const iam = iamClient(server);
    const user = await userWithKey(iam, 'metrics-reader');
    await iam.send(new PutUserPolicyCommand({
      UserName: 'metrics-reader', PolicyName: 'describe-only',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }] }),
    }));
    await rejectsWith(secretsManager(server, { credentials: user.credentials }).send(new GetSecretValueCommand({ SecretId: 'metrics/one' })), 'AccessDeniedException');

    const text = (await get(`${server.endpoint}/metrics`)).body;
    assert.equal(sample(text, 'coffer_authentication_failures_total', { code: 'InvalidSignatureException' }), 1);
    assert.equal(sample(text, 'coffer_authentication_failures_total', { code: 'UnrecognizedClientException' }), 2);
    assert.equal(sample(text, 'coffer_authorization_denials_total', { service: 'secretsmanager', operation: 'GetSecretValue' }), 1);
    assert.equal(sample(text, 'coffer_requests_total', { service: 'secretsmanager', operation: 'GetSecretValue', outcome: 'client_error', code: 'AccessDeniedException' }), 1);
    assert.equal(sample(text, 'coffer_requests_total', { service: 'iam', operation: 'CreateUser', outcome: 'success', code: '' }), 1);
  });

  test('a service name a client made up never becomes a label', async () => {
    for (const service of ['madeup-one', 'madeup-two']) {
      const res = await signedRequest(server, {
        service, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListUsers&Version=2010-05-08',
      });
      assert.equal(res.status, 400);
    }
    const text = (await get(`${server.endpoint}/metrics`)).body;
    assert.ok(!text.includes('madeup'), 'no label holds the made-up names');
    assert.ok(sample(text, 'coffer_requests_total', { service: 'unknown', operation: 'unknown', outcome: 'client_error', code: 'InvalidAction' })! >= 2, text.split('\n').filter((l) => l.startsWith('coffer_requests_total')).join('\n'));
  });
});

describe('--metrics-listen HOST:PORT', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--metrics-listen', '127.0.0.1:0'] });
  });
  after(() => server?.destroy());

  test('serves /metrics, /health and /ready on its own listener, and /metrics no longer on the API one', async () => {
    const url = /metrics:\s+(http:\/\/\S+)\/metrics/.exec(server.stdout())?.[1];
    assert.ok(url && url !== server.endpoint, server.stdout());
    const page = await get(`${url}/metrics`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('# TYPE coffer_requests_total counter'));
    assert.equal((await get(`${url}/ready`)).status, 200);
    assert.equal((await get(`${url}/health`)).status, 200);
    assert.equal((await get(`${url}/`)).status, 404);
    // On the API listener, /metrics is just an unsigned request nobody serves.
    const api = await get(`${server.endpoint}/metrics`);
    assert.notEqual(api.status, 200);
    assert.ok(!api.body.includes('coffer_requests_total'));
    assert.equal((await get(`${server.endpoint}/ready`)).status, 200);
  });
});
