/**
 * What a server process keeps on disk for its functions (unpacked code, the CA copy) lives
 * in one directory of its own under the system temp dir (`$TMPDIR`, else /tmp):
 *
 *   coffer-run-<pidns>-<pid>-<start>-XXXXXX      mode 0711, owned by the server's user
 *
 * `<start>` is the process's start time (clock ticks since boot, from /proc; 0 where there is
 * no /proc), so a pid the kernel handed out again (a container's pid 1 after a restart) does
 * not pass for the process that made the directory. `<pidns>` is the pid namespace's inode
 * (0 without /proc): a server judges only directories made in its own namespace, since it
 * cannot see another container's processes. A clean exit removes the directory; a crash
 * (SIGKILL, OOM killer) leaves it, and the next server to start sweeps directories of
 * processes that are gone (`sweepDeadRunDirs`).
 *
 * 0711: functions may run as another user (`nobody` when the server is root) and must reach
 * their own code directory and the CA copy beneath it; they cannot list it.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_DIR_PREFIX = 'coffer-run-';
/** The names this module makes, and the only ones the sweep touches: pid namespace, pid, start time, mkdtemp's six characters. */
const RUN_DIR_NAME = /^coffer-run-(\d+)-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;

let current: string | undefined;

/**
 * This process's run directory, made on first use and removed when the process exits; made
 * again if it disappeared (a temp-dir cleaner such as systemd-tmpfiles removing old entries).
 */
export function processRunDir(): string {
  if (current && isDirectory(current)) return current;
  const dir = mkdtempSync(join(tmpdir(), `${RUN_DIR_PREFIX}${pidNamespace()}-${process.pid}-${startTime(process.pid) ?? '0'}-`));
  chmodSync(dir, 0o711);
  // 'exit' runs on process.exit() and a normal end, not on SIGKILL: that is the sweep's job.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  current = dir;
  return dir;
}

/**
 * Removes the run directories under `base` whose process is gone: only real directories (a
 * symbolic link is never followed nor removed) named as this module names them, made in this
 * process's pid namespace and owned by this process's user. Returns the paths removed.
 * Failures are skipped, never thrown: a directory that cannot be removed now is tried again
 * at the next start.
 */
export function sweepDeadRunDirs(base: string = tmpdir()): string[] {
  const removed: string[] = [];
  const uid = process.getuid?.();
  const ns = pidNamespace();
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return removed;
  }
  for (const name of names) {
    const m = RUN_DIR_NAME.exec(name);
    if (!m || m[1] !== ns) continue;
    const path = join(base, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) continue;
      if (path === current || processAlive(Number(m[2]), m[3]!)) continue;
      // rm does not follow symbolic links inside the tree: it unlinks them.
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // Gone meanwhile (another server swept it) or not removable: leave it.
    }
  }
  return removed;
}

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the process that made a run directory still runs: the pid exists and, where known, started when recorded. */
function processAlive(pid: number, recordedStart: string): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists, as another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (recordedStart === '0') return true;
  const now = startTime(pid);
  return now === undefined || now === recordedStart;
}

/** The inode of this process's pid namespace (`pid:[4026531836]`), or 0. */
function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
}

/** Field 22 of /proc/<pid>/stat (after the command name, which may hold spaces and parentheses). */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    return start && /^\d+$/.test(start) ? start : undefined;
  } catch {
    return undefined;
  }
}
