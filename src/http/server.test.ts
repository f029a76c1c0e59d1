/**
 * The front door's last line of defence: an operation that throws something that is not an
 * AwsError answers 500 InternalServiceError with a fixed text, never the error's message or
 * stack, and the details go to the log with the request id.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import pino from 'pino';
import { Writable } from 'node:stream';
import { createFrontDoor } from './server.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { DEFAULT_THROTTLE, Throttle } from '../throttle/throttle.ts';
import { rootPrincipal } from '../auth/principal.ts';
import type { App } from '../app.ts';
import type { JsonService } from '../protocol/aws-json.ts';

const KEY = { accessKeyId: 'AKIAUNITTESTKEY00001', secretAccessKey: 'unit-test-secret-key-0000000000000000000' };

test('a non-AWS error becomes 500 InternalServiceError without leaking its message or stack', async (t) => {
  const service: JsonService = {
    targetPrefix: 'unittest',
    signingName: 'secretsmanager',
    model: { operations: { Boom: {} }, shapes: {} } as unknown as JsonService['model'],
    operations: {
      Boom: {
        plan: async () => ({ authorization: { action: 'x:Boom', resource: '*' } as never, state: undefined }),
        run: async () => { throw new Error('database password is hunter2'); },
      },
    },
  };
  const logged: string[] = [];
  const log = pino({ level: 'error' }, new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } }));
  const app = {
    config: { maxBodyBytes: 1024, regions: 'any', limits: DEFAULT_LIMITS },
    throttle: new Throttle(DEFAULT_THROTTLE),
    observers: { active: false },
    log,
    credentials: { resolve: async (id: string) => (id === KEY.accessKeyId ? { status: 'Active', secret: KEY.secretAccessKey, principal: rootPrincipal('111122223333', id) } : undefined), noteUse: async () => {} },
    authorize: async () => ({ allowed: true }),
    jsonServices: new Map([[service.targetPrefix, service]]),
  } as unknown as App;

  const door = createFrontDoor(app);
  await new Promise<void>((resolve) => door.server.listen(0, '127.0.0.1', resolve));
  t.after(() => door.drain());
  const { port } = door.server.address() as AddressInfo;

  const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 'secretsmanager', sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign(new HttpRequest({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port, path: '/',
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'unittest.Boom' },
    body: '{}',
  }));
  const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { ...signed.headers, 'content-length': '2' } }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: r.statusCode ?? 0, headers: r.headers, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });

  assert.equal(res.status, 500);
  assert.deepEqual(JSON.parse(res.body), { __type: 'InternalServiceError', Message: 'An error occurred on the server side.' });
  assert.equal(res.headers['x-amzn-errortype'], 'InternalServiceError');
  const requestId = res.headers['x-amzn-requestid'] as string;
  assert.match(requestId, /^[0-9a-f-]{36}$/);
  assert.doesNotMatch(res.body, /hunter2|server\.test\.ts|at /);
  assert.ok(logged.some((line) => line.includes(requestId) && line.includes('internal error')), 'the failure is logged with its request id');
});
