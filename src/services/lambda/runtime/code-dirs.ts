/**
 * Function code unpacked for running: one private directory (mode 0700, `fn-*` in the
 * server process's run directory, see run-dir.ts) per code hash, shared by the processes
 * that run that code and removed when the last of them is gone and the code is no longer
 * current, or when the runtime closes.
 *
 * The zip is checked against its hash before unpacking, and no entry may land outside the
 * directory (`../`, absolute names); a symbolic link entry is unpacked as a plain file.
 */
import { createHash } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { processRunDir } from './run-dir.ts';

export class CodeUnpackError extends Error {}

interface CodeDir {
  /** The temp dir; the code is in `task/` beneath it. */
  root: string;
  taskRoot: string;
  users: number;
}

/** The operating-system user functions run as, when it is not the server's own. */
export interface ProcessUser {
  uid: number;
  gid: number;
}

export class CodeDirs {
  private readonly dirs = new Map<string, Promise<CodeDir>>();

  /** `owner`: the unpacked files belong to the user functions run as (still private to it). */
  constructor(private readonly owner?: ProcessUser) {}

  /** The unpacked code for `codeSha256`, unpacking `code()` the first time; counts a user until `release`. */
  async acquire(codeSha256: string, code: () => Promise<Buffer>): Promise<string> {
    let entry = this.dirs.get(codeSha256);
    if (!entry) {
      entry = code().then((zip) => unpack(zip, codeSha256, this.owner));
      this.dirs.set(codeSha256, entry);
      entry.catch(() => this.dirs.delete(codeSha256));
    }
    const dir = await entry;
    dir.users++;
    return dir.taskRoot;
  }

  /** One user fewer; `keep` false removes the directory once nobody uses it. */
  release(codeSha256: string, keep: boolean): void {
    const entry = this.dirs.get(codeSha256);
    if (!entry) return;
    void entry.then((dir) => {
      dir.users = Math.max(0, dir.users - 1);
      if (dir.users === 0 && !keep) this.remove(codeSha256, dir);
    }, () => undefined);
  }

  /** Removes a directory nobody uses (the code changed). */
  drop(codeSha256: string): void {
    const entry = this.dirs.get(codeSha256);
    if (!entry) return;
    void entry.then((dir) => { if (dir.users === 0) this.remove(codeSha256, dir); }, () => undefined);
  }

  async removeAll(): Promise<void> {
    for (const [hash, entry] of [...this.dirs]) {
      const dir = await entry.catch(() => undefined);
      if (dir) this.remove(hash, dir);
    }
  }

  private remove(hash: string, dir: CodeDir): void {
    this.dirs.delete(hash);
    rmSync(dir.root, { recursive: true, force: true });
  }
}

function unpack(zip: Buffer, codeSha256: string, owner: ProcessUser | undefined): CodeDir {
  const actual = createHash('sha256').update(zip).digest('base64');
  if (actual !== codeSha256) throw new CodeUnpackError(`the function's code does not match its CodeSha256 (${codeSha256})`);
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
  } catch (err) {
    throw new CodeUnpackError(`Could not unzip the function's code: ${(err as Error).message}`);
  }
  // mkdtemp creates the directory with mode 0700; a crashed server's are swept at the next start.
  const root = mkdtempSync(join(processRunDir(), 'fn-'));
  const taskRoot = join(root, 'task');
  const own = (path: string) => { if (owner) chownSync(path, owner.uid, owner.gid); };
  try {
    own(root);
    mkdirSync(taskRoot, { mode: 0o700 });
    own(taskRoot);
    for (const [name, data] of Object.entries(entries)) {
      const target = resolve(taskRoot, name);
      if (target !== taskRoot && !target.startsWith(taskRoot + sep)) throw new CodeUnpackError(`the zip entry ${JSON.stringify(name)} points outside the function's directory`);
      if (name.endsWith('/')) {
        ownCreated(mkdirSync(target, { recursive: true, mode: 0o700 }), target, own);
        continue;
      }
      ownCreated(mkdirSync(dirname(target), { recursive: true, mode: 0o700 }), dirname(target), own);
      // Read-only for the function, as /var/task is; executable, since fflate does not report
      // the zip's permission bits and bundled programs must run.
      writeFileSync(target, data, { mode: 0o500 });
      own(target);
    }
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return { root, taskRoot, users: 0 };
}

/** `mkdirSync(…, { recursive: true })` returns the first directory it created: own it and those below it down to `last`. */
function ownCreated(first: string | undefined, last: string, own: (path: string) => void): void {
  if (first === undefined) return;
  own(first);
  let dir = first;
  for (const part of last.slice(first.length).split(sep).filter(Boolean)) {
    dir = join(dir, part);
    own(dir);
  }
}
