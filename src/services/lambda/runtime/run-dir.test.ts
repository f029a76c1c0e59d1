/**
 * The sweep judges a run directory by the process its name records: pid and start time. A
 * pid that runs again but started at another time (the kernel reused it) is a dead process.
 * test/lambda-leftovers.test.ts covers the rest with real servers and SIGKILL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepDeadRunDirs } from './run-dir.ts';

const hasProc = existsSync('/proc/self/stat');

test('a live pid with another start time is swept; the same pid with its own start time, or none recorded, stays', { skip: !hasProc && 'needs /proc' }, () => {
  const base = mkdtempSync(join(tmpdir(), 'coffer-sweep-'));
  try {
    const ns = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))![1]!;
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
    const reused = `coffer-run-${ns}-${process.pid}-${BigInt(start) + 1n}-aaaaaa`;
    const unknown = `coffer-run-${ns}-${process.pid}-0-bbbbbb`;
    const ours = `coffer-run-${ns}-${process.pid}-${start}-cccccc`;
    const notOurs = 'coffer-run-elsewhere';
    const file = `coffer-run-${ns}-${process.pid}-${BigInt(start) + 1n}-dddddd`;
    for (const name of [reused, unknown, ours, notOurs]) mkdirSync(join(base, name));
    writeFileSync(join(base, file), '');
    assert.deepEqual(sweepDeadRunDirs(base), [join(base, reused)]);
    for (const name of [unknown, ours, notOurs, file]) assert.ok(existsSync(join(base, name)), name);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
