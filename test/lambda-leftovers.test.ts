// e2e: sqlite only — temp directories on the server's machine, the same whichever engine stores the data.
/**
 * What a server writes to the temp dir for its functions (unpacked code, the copy of its CA)
 * lives in one run directory per server process. A server killed with SIGKILL leaves it; the
 * next server to start removes it, and nothing else: not a live process's directory, not a
 * symbolic link named like one, not a directory another user owns. A clean stop removes the
 * server's own. The servers run with TMPDIR set to a directory of this test's, so other
 * servers on the machine do not matter.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { startServer, type TestServer } from './helpers/server.ts';
import { iamClient } from './helpers/iam.ts';
import { executionRole, lambdaClient, NODE_ECHO, zipOf } from './helpers/lambda.ts';

const base = mkdtempSync(join(tmpdir(), 'coffer-leftovers-'));
// Functions run as `nobody` when the tests run as root: they must reach their code under it.
chmodSync(base, 0o755);
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers.reverse()) await s.destroy();
  rmSync(base, { recursive: true, force: true });
});

/** The pid namespace's inode, as the server names its run directories (0 without /proc). */
const NS = (() => { try { return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0'; } catch { return '0'; } })();

const runDirs = () => readdirSync(base).filter((n) => n.startsWith('coffer-run-')).sort();

/** A pid that no longer runs (a process that has exited). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

test('a server killed with SIGKILL leaves its run directory; the next start removes it and nothing else', async () => {
  const env = { TMPDIR: base };
  const first = await startServer({ env, args: ['--tls', 'self-signed'] });
  servers.push(first);
  const lambda = lambdaClient(first);
  const role = await executionRole(iamClient(first), 'leftover-role');
  await lambda.send(new CreateFunctionCommand({
    FunctionName: 'leftover', Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zipOf({ 'index.js': NODE_ECHO }) },
  }));
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'leftover', Payload: Buffer.from('{"n":1}') }));
  assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());

  // One run directory, named for the server's pid, holding the unpacked code and the CA copy.
  const [crashed, ...others] = runDirs();
  assert.ok(crashed, 'the server made a run directory');
  assert.deepEqual(others, []);
  assert.match(crashed, new RegExp(`^coffer-run-${NS}-${first.process.pid}-\\d+-\\w{6}$`));
  const inside = readdirSync(join(base, crashed)).sort();
  assert.ok(inside.some((n) => n.startsWith('ca-')), `a CA copy in ${inside.join(', ')}`);
  assert.ok(inside.some((n) => n.startsWith('fn-')), `unpacked code in ${inside.join(', ')}`);
  assert.equal(lstatSync(join(base, crashed)).mode & 0o777, 0o711);

  first.process.kill('SIGKILL');
  await first.stop();
  assert.ok(existsSync(join(base, crashed)), 'SIGKILL left the run directory behind');

  // Things the sweep must leave alone: a live process's directory (this test's pid), a symbolic
  // link named like a dead process's directory (and what it points to), another user's directory.
  const dead = deadPid();
  const live = `coffer-run-${NS}-${process.pid}-0-aaaaaa`;
  mkdirSync(join(base, live));
  const target = mkdtempSync(join(tmpdir(), 'coffer-leftovers-target-'));
  writeFileSync(join(target, 'keep'), 'keep');
  const link = `coffer-run-${NS}-${dead}-0-bbbbbb`;
  symlinkSync(target, join(base, link));
  const foreign = `coffer-run-${NS}-${dead}-0-cccccc`;
  mkdirSync(join(base, foreign));
  const runningAsRoot = process.getuid?.() === 0;
  if (runningAsRoot) chownSync(join(base, foreign), 65534, 65534);
  // And one a dead process did leave, made by hand.
  const stale = `coffer-run-${NS}-${dead}-0-dddddd`;
  mkdirSync(join(base, stale, 'fn-x', 'task'), { recursive: true });
  // And one a dead pid left in another pid namespace (a container sharing the temp dir): not ours to judge.
  const otherNamespace = `coffer-run-${NS === '1' ? '2' : '1'}-${dead}-0-eeeeee`;
  mkdirSync(join(base, otherNamespace));

  const second = await startServer({ env, dataDir: first.dataDir, databaseUrl: first.databaseUrl, root: first.root, args: ['--tls', 'self-signed'] });
  servers.push(second);
  const left = runDirs();
  assert.ok(!left.includes(crashed), `the crashed server's run directory is gone: ${left.join(', ')}`);
  assert.ok(!left.includes(stale), 'a dead process\'s directory is gone');
  assert.ok(left.includes(live), 'a live process\'s directory stays');
  assert.ok(left.includes(otherNamespace), 'another pid namespace\'s directory stays');
  assert.ok(lstatSync(join(base, link)).isSymbolicLink(), 'the symbolic link stays');
  assert.ok(existsSync(join(target, 'keep')), 'what the link points to is untouched');
  if (runningAsRoot) assert.ok(left.includes(foreign), 'another user\'s directory stays');
  // The second server made its own (its CA copy) and still runs functions.
  const mine = left.filter((n) => n.startsWith(`coffer-run-${NS}-${second.process.pid}-`));
  assert.equal(mine.length, 1, left.join(', '));
  const again = await lambdaClient(second).send(new InvokeCommand({ FunctionName: 'leftover', Payload: Buffer.from('{"n":2}') }));
  assert.equal(again.FunctionError, undefined);
  assert.deepEqual(JSON.parse(Buffer.from(again.Payload!).toString()).echo, { n: 2 });

  // A clean stop removes the server's own.
  assert.equal(await second.stop(), 0);
  assert.ok(!existsSync(join(base, mine[0]!)), 'a clean stop removes the run directory');
  rmSync(target, { recursive: true, force: true });
});
