/**
 * The process runtime with real interpreters (Debian's /usr/bin/python3, this node) running
 * real handlers from real zips, real execution-role sessions minted through STS on an
 * in-memory database, and logs sealed under a real root key ring.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { openStore, type Store } from '../../../storage/database.ts';
import { CredentialStore } from '../../../auth/credentials.ts';
import { RootKeyRing } from '../../../crypto/root-key-ring.ts';
import type { FunctionConfig, InvokeRequest } from '../contract.ts';
import { ProcessRuntime } from './process-runtime.ts';
import { lambdaSessions } from './role-credentials.ts';
import { readFunctionLogs } from './function-logs.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ROLE = 'fn-exec';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const UNTRUSTED_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/not-for-lambda`;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function zip(files: Record<string, string>): { zip: Buffer; sha: string } {
  const bytes = Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));
  return { zip: bytes, sha: createHash('sha256').update(bytes).digest('base64') };
}

function fn(name: string, runtime: string, handler: string, code: { sha: string }, over: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    functionName: name, functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`, accountId: ACCOUNT, region: REGION,
    runtime, handler, roleArn: ROLE_ARN, timeoutSeconds: 10, memorySize: 256, environment: {}, codeSha256: code.sha, ...over,
  };
}

function req(event: unknown, over: Partial<InvokeRequest> = {}): InvokeRequest {
  return { requestId: randomUUID(), payload: Buffer.from(JSON.stringify(event)), invocationType: 'RequestResponse', ...over };
}

const json = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, any>;

const PY_ECHO = `
import json, logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)
print("module loaded")

def lambda_handler(event, context):
    print("event", json.dumps(event))
    logger.info("info line for %s", context.function_name)
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "logGroup": context.log_group_name,
        "logStream": context.log_stream_name,
        "env": dict(os.environ),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
    }
`;

const NODE_ECHO = `
exports.handler = async (event, context) => {
  console.log('event', JSON.stringify(event));
  return {
    event, requestId: context.awsRequestId, functionName: context.functionName, arn: context.invokedFunctionArn,
    memory: context.memoryLimitInMB, remaining: context.getRemainingTimeInMillis(), logGroup: context.logGroupName,
    logStream: context.logStreamName, env: process.env, pid: process.pid,
  };
};
`;

describe('the process runtime', () => {
  let store: Store;
  let sealer: RootKeyRing;
  let credentials: CredentialStore;
  let runtime: ProcessRuntime;

  before(async () => {
    // Must not reach any function's environment.
    process.env.COFFER_RUNTIME_TEST_SECRET = 'must-not-leak';
    store = await openStore('sqlite://:memory:');
    sealer = new RootKeyRing(1, randomBytes(32));
    credentials = new CredentialStore(store.db, sealer);
    const role = (name: string, service: string) => ({
      account_id: ACCOUNT, role_key: name.toLowerCase(), role_name: name, role_id: `AROA${randomBytes(8).toString('hex').toUpperCase()}`, path: '/',
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      trust_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] }),
      description: null, max_session_duration: 3600, permissions_boundary: null, tags: '[]', created_at: Date.now(), last_used_at: null, last_used_region: null,
    });
    await store.db.insertInto('iam_roles').values([role(ROLE, 'lambda.amazonaws.com'), role('not-for-lambda', 'ec2.amazonaws.com')]).execute();
    runtime = new ProcessRuntime({
      db: store.db, sealer, credentials: lambdaSessions({ db: store.db, credentials, now: () => Date.now() }),
      endpoint: () => 'http://127.0.0.1:4599', python: PYTHON, concurrency: 2,
    });
  });
  after(async () => {
    await runtime.close();
    await store.close();
    delete process.env.COFFER_RUNTIME_TEST_SECRET;
  });

  test('a Python handler gets the event, a Lambda context and the environment AWS gives; its output is the log', async () => {
    const code = zip({ 'lambda_function.py': PY_ECHO });
    const f = fn('py-echo', 'python3.11', 'lambda_function.lambda_handler', code, { environment: { GREETING: 'hello', AWS_REGION: 'xx-fake-1' } });
    const r = req({ SecretId: 'arn:x', Step: 'createSecret' }, { logType: 'Tail' });
    const out = await runtime.invoke(f, async () => code.zip, r);
    assert.equal(out.statusCode, 200);
    assert.equal(out.functionError, undefined);
    assert.equal(out.executedVersion, '$LATEST');
    const body = json(out.payload);
    assert.deepEqual(body.event, { SecretId: 'arn:x', Step: 'createSecret' });
    assert.equal(body.requestId, r.requestId);
    assert.equal(body.functionName, 'py-echo');
    assert.equal(body.arn, f.functionArn);
    assert.equal(body.memory, '256');
    assert.ok(body.remaining > 5000 && body.remaining <= 10_000, `remaining ${body.remaining}`);
    assert.equal(body.logGroup, '/aws/lambda/py-echo');
    assert.match(body.logStream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);

    const env = body.env as Record<string, string>;
    assert.equal(env.AWS_REGION, REGION, 'reserved variables win over the function\'s');
    assert.equal(env.AWS_DEFAULT_REGION, REGION);
    assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'py-echo');
    assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
    assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/py-echo');
    assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, body.logStream);
    assert.equal(env._HANDLER, 'lambda_function.lambda_handler');
    assert.equal(env.LAMBDA_TASK_ROOT, body.cwd);
    assert.equal(env.TZ, ':UTC');
    assert.equal(env.GREETING, 'hello');
    assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:4599');
    assert.equal(env.SECRETS_MANAGER_ENDPOINT, 'http://127.0.0.1:4599');
    assert.match(env.AWS_ACCESS_KEY_ID!, /^ASIA/);
    assert.ok(env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN);
    assert.deepEqual(Object.keys(env).filter((k) => k.startsWith('COFFER')), []);
    for (const name of Object.keys(env)) assert.ok(!(name in process.env) || ['PATH', 'LANG', 'TZ'].includes(name) || /^(AWS_|LAMBDA_|_HANDLER|GREETING|SECRETS_MANAGER_ENDPOINT|LC_CTYPE|PYTHON)/.test(name), `${name} leaked from the server`);

    // The credentials are a session of the execution role, as Lambda assumed it, carrying aws:SourceAccount.
    const session = await credentials.resolve(env.AWS_ACCESS_KEY_ID!);
    assert.equal(session?.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/py-echo`);
    assert.equal(session?.principal.sourceAccount, ACCOUNT);
    assert.equal(session?.secret, env.AWS_SECRET_ACCESS_KEY);

    const tail = out.logTail!;
    assert.match(tail, new RegExp(`^START RequestId: ${r.requestId} Version: \\$LATEST\\n`));
    assert.match(tail, /module loaded\n/);
    assert.match(tail, /event \{"SecretId": "arn:x", "Step": "createSecret"\}\n/);
    assert.match(tail, new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${r.requestId}\\tinfo line for py-echo\\n`));
    assert.match(tail, new RegExp(`END RequestId: ${r.requestId}\\nREPORT RequestId: ${r.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: [\\d.]+ ms\\t\\n$`));

    const logs = await readFunctionLogs(store.db, sealer, f.functionArn);
    assert.equal(logs.at(-1)?.requestId, r.requestId);
    assert.equal(logs.at(-1)?.text, tail);
    assert.equal(logs.at(-1)?.logStream, body.logStream);
    const raw = await store.db.selectFrom('lambda_function_logs').select('log_sealed').where('request_id', '=', r.requestId).executeTakeFirstOrThrow();
    assert.ok(!Buffer.from(raw.log_sealed).includes('module loaded'), 'the stored log is sealed');
  });

  test('a warm process serves the next invocation; new code or configuration gets a new process', async () => {
    const code = zip({ 'lambda_function.py': PY_ECHO });
    const f = fn('py-warm', 'python3.11', 'lambda_function.lambda_handler', code);
    const first = json((await runtime.invoke(f, async () => code.zip, req({ n: 1 }, { logType: 'Tail' }))).payload);
    const second = await runtime.invoke(f, async () => { throw new Error('the code is not fetched again for a warm process'); }, req({ n: 2 }, { logType: 'Tail' }));
    assert.equal(json(second.payload).pid, first.pid);
    assert.doesNotMatch(second.logTail!, /module loaded|Init Duration/, 'init output and duration belong to the first invocation');
    assert.match(second.logTail!, /event \{"n": 2\}/);
    assert.doesNotMatch(second.logTail!, /"n": 1/);

    const changed = json((await runtime.invoke({ ...f, environment: { V: '2' } }, async () => code.zip, req({ n: 3 }))).payload);
    assert.notEqual(changed.pid, first.pid);
    assert.equal(changed.env.V, '2');
    const code2 = zip({ 'lambda_function.py': `${PY_ECHO}\n# v2\n` });
    const updated = json((await runtime.invoke({ ...f, environment: { V: '2' }, codeSha256: code2.sha }, async () => code2.zip, req({ n: 4 }))).payload);
    assert.notEqual(updated.pid, changed.pid);
    await new Promise((r) => setTimeout(r, 100));
    assert.throws(() => process.kill(first.pid, 0), 'the process of the old configuration was ended');
    assert.throws(() => process.kill(changed.pid, 0), 'the process of the old code was ended');
  });

  test('Node.js handlers: async, callback style, ES modules, nested paths; console lines carry the request id', async () => {
    const code = zip({
      'index.js': NODE_ECHO,
      'cb.js': `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback', n: event.n }), 10); };`,
      'lib/esm.mjs': `export const handler = async (event) => ({ via: 'esm', n: event.n });`,
    });
    const f = fn('node-echo', 'nodejs20.x', 'index.handler', code);
    const r = req({ a: [1, 2] }, { logType: 'Tail' });
    const out = await runtime.invoke(f, async () => code.zip, r);
    assert.equal(out.functionError, undefined, out.payload.toString());
    const body = json(out.payload);
    assert.deepEqual(body.event, { a: [1, 2] });
    assert.equal(body.requestId, r.requestId);
    assert.equal(body.functionName, 'node-echo');
    assert.equal(body.arn, f.functionArn);
    assert.equal(body.memory, '256');
    assert.ok(body.remaining > 5000);
    assert.deepEqual(Object.keys(body.env).filter((k) => k.startsWith('COFFER')), []);
    assert.equal(body.env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
    assert.match(out.logTail!, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${r.requestId}\\tINFO\\tevent \\{"a":\\[1,2\\]\\}\\n`));

    const cb = await runtime.invoke(fn('node-cb', 'nodejs22.x', 'cb.handler', code), async () => code.zip, req({ n: 7 }));
    assert.deepEqual(json(cb.payload), { via: 'callback', n: 7 });
    const esm = await runtime.invoke(fn('node-esm', 'nodejs18.x', 'lib/esm.handler', code), async () => code.zip, req({ n: 8 }));
    assert.deepEqual(json(esm.payload), { via: 'esm', n: 8 });
  });

  test('a handler that throws: Unhandled, with each runtime\'s error shape, logged; the process stays warm', async () => {
    const py = zip({ 'app.py': 'def handler(event, context):\n    raise ValueError("no such step: " + event["Step"])\n' });
    const r = req({ Step: 'bogus' }, { logType: 'Tail' });
    const out = await runtime.invoke(fn('py-throws', 'python3.11', 'app.handler', py), async () => py.zip, r);
    assert.equal(out.statusCode, 200);
    assert.equal(out.functionError, 'Unhandled');
    const err = json(out.payload);
    assert.deepEqual(Object.keys(err), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(err.errorMessage, 'no such step: bogus');
    assert.equal(err.errorType, 'ValueError');
    assert.equal(err.requestId, r.requestId);
    assert.match(err.stackTrace[0], /File ".*app\.py", line 2, in handler/);
    assert.match(out.logTail!, /\[ERROR\] ValueError: no such step: bogus\nTraceback/);

    const node = zip({ 'index.js': 'exports.handler = async () => { throw new TypeError("bad input"); };' });
    const n = await runtime.invoke(fn('node-throws', 'nodejs20.x', 'index.handler', node), async () => node.zip, req({}));
    assert.equal(n.functionError, 'Unhandled');
    const nerr = json(n.payload);
    assert.deepEqual(Object.keys(nerr), ['errorType', 'errorMessage', 'trace']);
    assert.equal(nerr.errorType, 'TypeError');
    assert.equal(nerr.errorMessage, 'bad input');
    assert.match(nerr.trace[0], /^TypeError: bad input/);
  });

  test('a handler that cannot be loaded: Runtime.ImportModuleError / HandlerNotFound', async () => {
    const py = zip({ 'app.py': 'import no_such_module_here\n' });
    const out = await runtime.invoke(fn('py-import', 'python3.11', 'app.handler', py), async () => py.zip, req({}));
    assert.equal(out.functionError, 'Unhandled');
    assert.deepEqual(json(out.payload), { errorMessage: "Unable to import module 'app': No module named 'no_such_module_here'", errorType: 'Runtime.ImportModuleError', requestId: '', stackTrace: [] });
    const missing = await runtime.invoke(fn('py-missing', 'python3.11', 'app.nothing', zip({ 'app.py': 'x = 1\n' })), async () => zip({ 'app.py': 'x = 1\n' }).zip, req({}));
    assert.equal(json(missing.payload).errorType, 'Runtime.HandlerNotFound');
    const node = zip({ 'index.js': 'exports.other = () => 1;' });
    const n = await runtime.invoke(fn('node-missing', 'nodejs20.x', 'index.handler', node), async () => node.zip, req({}));
    assert.deepEqual(json(n.payload).errorType, 'Runtime.HandlerNotFound');
    const none = await runtime.invoke(fn('node-nomodule', 'nodejs20.x', 'nope.handler', node), async () => node.zip, req({}));
    assert.equal(json(none.payload).errorType, 'Runtime.ImportModuleError');
    assert.equal(json(none.payload).errorMessage, "Error: Cannot find module 'nope'");
  });

  test('a timeout kills the process (and what it started) and answers as Lambda does', async () => {
    const py = zip({ 'slow.py': 'import subprocess, time\ndef handler(event, context):\n    print("started", flush=True)\n    subprocess.Popen(["sleep", "30"])\n    time.sleep(30)\n' });
    const f = fn('py-slow', 'python3.11', 'slow.handler', py, { timeoutSeconds: 1 });
    const r = req({}, { logType: 'Tail' });
    const began = Date.now();
    const out = await runtime.invoke(f, async () => py.zip, r);
    assert.ok(Date.now() - began < 5000, 'answered soon after the timeout');
    assert.equal(out.functionError, 'Unhandled');
    const body = json(out.payload);
    assert.deepEqual(Object.keys(body), ['errorMessage']);
    assert.match(body.errorMessage, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ${r.requestId} Task timed out after 1\\.00 seconds$`));
    assert.match(out.logTail!, /started\n/);
    assert.match(out.logTail!, new RegExp(`REPORT RequestId: ${r.requestId}\\tDuration: 1\\d{3}\\.\\d\\d ms.*\\tStatus: timeout\\t\\n.* Task timed out after 1\\.00 seconds\\n$`));
    // The next invocation gets a fresh process.
    const again = await runtime.invoke({ ...f, handler: 'slow.handler' }, async () => py.zip, req({}));
    assert.equal(again.functionError, 'Unhandled');
  });

  test('a process that dies: Runtime.ExitError', async () => {
    const py = zip({ 'die.py': 'import os\ndef handler(event, context):\n    print("bye")\n    os._exit(3)\n' });
    const r = req({}, { logType: 'Tail' });
    const out = await runtime.invoke(fn('py-die', 'python3.11', 'die.handler', py), async () => py.zip, r);
    assert.equal(out.functionError, 'Unhandled');
    assert.deepEqual(json(out.payload), { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 3` });
    assert.match(out.logTail!, /bye\nRequestId: .* Error: Runtime exited with error: exit status 3\nRuntime.ExitError\nEND/);
    const node = zip({ 'index.js': 'exports.handler = async () => { process.kill(process.pid, "SIGKILL"); await new Promise(() => {}); };' });
    const n = await runtime.invoke(fn('node-die', 'nodejs20.x', 'index.handler', node), async () => node.zip, req({}));
    assert.match(json(n.payload).errorMessage, /Runtime exited with error: signal: killed$/);
  });

  test('at most `concurrency` invocations run at once; the rest wait', async () => {
    const code = zip({ 'index.js': 'exports.handler = async () => { const start = Date.now(); await new Promise((r) => setTimeout(r, 400)); return { start, end: Date.now() }; };' });
    const f = fn('node-busy', 'nodejs20.x', 'index.handler', code);
    const outs = await Promise.all([1, 2, 3, 4, 5].map(() => runtime.invoke(f, async () => code.zip, req({}))));
    const spans = outs.map((o) => json(o.payload) as { start: number; end: number });
    // At any invocation's start, how many were running (itself included).
    for (const s of spans) {
      const running = spans.filter((o) => o.start <= s.start && s.start < o.end).length;
      assert.ok(running <= 2, `at most 2 ran at once, saw ${running}`);
    }
    assert.ok(Math.max(...spans.map((s) => s.end)) - Math.min(...spans.map((s) => s.start)) >= 1150, 'five 400 ms runs two at a time take three rounds');
    assert.ok(runtime.processCount <= 2 * 2 + 2, 'warm processes are bounded');
  });

  test('Event invocations answer 202 at once and run in the background; DryRun runs nothing', async () => {
    const code = zip({ 'index.js': 'exports.handler = async (e) => { console.log("async ran", e.n); return 1; };' });
    const f = fn('node-event', 'nodejs20.x', 'index.handler', code);
    const r = req({ n: 42 }, { invocationType: 'Event' });
    const out = await runtime.invoke(f, async () => code.zip, r);
    assert.equal(out.statusCode, 202);
    assert.equal(out.payload.length, 0);
    const dry = await runtime.invoke(f, async () => code.zip, req({}, { invocationType: 'DryRun' }));
    assert.equal(dry.statusCode, 204);
    for (let i = 0; i < 100; i++) {
      const logs = await readFunctionLogs(store.db, sealer, f.functionArn);
      if (logs.some((l) => l.requestId === r.requestId)) {
        assert.match(logs.find((l) => l.requestId === r.requestId)!.text, /INFO\tasync ran 42/);
        assert.equal(logs.length, 1, 'DryRun leaves no log');
        return;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.fail('the Event invocation did not run');
  });

  test('run by root, functions run as nobody: the server\'s private files are out of their reach', { skip: process.getuid?.() !== 0 && 'the server does not run as root' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-private-'));
    const file = join(dir, 'root.key');
    writeFileSync(file, 'private', { mode: 0o600 });
    try {
      const code = zip({ 'peek.py': 'import os\ndef handler(event, context):\n    try:\n        open(event["path"]).read()\n        return "read"\n    except PermissionError:\n        return ["denied", os.getuid()]\n' });
      const out = await runtime.invoke(fn('py-peek', 'python3.11', 'peek.handler', code), async () => code.zip, req({ path: file }));
      assert.deepEqual(json(out.payload), ['denied', 65534]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an execution role that does not trust lambda.amazonaws.com: InvalidParameterValueException', async () => {
    const code = zip({ 'index.js': 'exports.handler = async () => 1;' });
    await assert.rejects(
      runtime.invoke(fn('node-untrusted', 'nodejs20.x', 'index.handler', code, { roleArn: UNTRUSTED_ROLE_ARN }), async () => code.zip, req({})),
      { code: 'InvalidParameterValueException', message: 'The role defined for the function cannot be assumed by Lambda.' },
    );
  });
});
