/**
 * One function process: the interpreter running coffer's bootstrap (bootstrap/*), which loads
 * the handler once and then serves invocations one at a time over fd 3. stdout and stderr are
 * the function's log (see output-capture.ts). The process leads its own process group, so a
 * timeout kills whatever it started as well.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { OutputCapture, newMarker } from './output-capture.ts';

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Run as this user rather than the server's. */
  user?: { uid: number; gid: number };
}

/** An error object as the runtime reports it (Python: errorMessage/errorType/requestId/stackTrace; Node: errorType/errorMessage/trace). */
export type FunctionErrorObject = Record<string, unknown> & { errorType?: string; errorMessage?: string };

export type Outcome =
  | { kind: 'result'; payload: string }
  | { kind: 'error'; error: FunctionErrorObject }
  /** Loading the handler failed (import error, missing handler): the process is useless. */
  | { kind: 'init-error'; error: FunctionErrorObject }
  | { kind: 'timeout' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

export interface InvocationMessage {
  requestId: string;
  functionArn: string;
  payload: string;
}

export interface Served {
  outcome: Outcome;
  /** What the process printed during the invocation (and, on its first, while starting). */
  output: string;
  durationMs: number;
  /** Set on the invocation that waited for the process to start. */
  initDurationMs?: number;
  maxMemoryUsedMb?: number;
}

type Message = { type: 'ready' } | { type: 'init-error'; error: FunctionErrorObject } | { type: 'result'; payload: string } | { type: 'error'; error: FunctionErrorObject };

/** How long output may trail the answer (a function that closed its stdout never marks it). */
const MARKER_GRACE_MS = 2000;

export class FunctionProcess {
  private readonly child: ChildProcess;
  private readonly channel: Duplex;
  private readonly capture = new OutputCapture();
  private readonly messages: Message[] = [];
  private notify: (() => void) | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly closed: Promise<void>;
  private readonly spawnedAt = performance.now();
  private initialized = false;
  private initDurationMs: number | undefined;
  busy = false;

  constructor(spec: SpawnSpec) {
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
    });
    this.child.stdout!.on('data', (d: Buffer) => this.capture.feed('stdout', d));
    this.child.stderr!.on('data', (d: Buffer) => this.capture.feed('stderr', d));
    this.channel = this.child.stdio[3] as Duplex;
    let buffered = '';
    this.channel.setEncoding('utf8');
    this.channel.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          this.messages.push(JSON.parse(line) as Message);
        } catch {
          // Only the bootstrap writes here; a line that is not JSON is ignored.
        }
      }
      this.notify?.();
    });
    this.channel.on('error', () => undefined);
    this.child.on('error', () => {
      // spawn failed (no such interpreter): reported as the process's exit.
      this.exitInfo ??= { code: 127, signal: null };
      this.notify?.();
    });
    this.child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.notify?.();
    });
    this.closed = new Promise((resolve) => {
      this.child.once('close', () => resolve());
      this.child.once('error', () => resolve());
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /** Runs one invocation to its outcome within `deadlineMs` (epoch ms); starting the process counts. */
  async invoke(message: InvocationMessage, deadlineMs: number): Promise<Served> {
    const started = performance.now();
    const timer = { expired: false, handle: undefined as NodeJS.Timeout | undefined };
    const timeout = new Promise<'timeout'>((resolve) => {
      timer.handle = setTimeout(() => { timer.expired = true; resolve('timeout'); }, Math.max(0, deadlineMs - Date.now()));
    });
    try {
      let initDurationMs: number | undefined;
      if (!this.initialized) {
        const init = await Promise.race([this.next(), timeout]);
        if (init === 'timeout') return await this.finish({ kind: 'timeout' }, started);
        if (init === undefined) return await this.finish(this.exitOutcome(), started);
        this.initDurationMs = performance.now() - this.spawnedAt;
        initDurationMs = this.initDurationMs;
        if (init.type === 'init-error') {
          this.kill();
          return await this.finish({ kind: 'init-error', error: init.error }, started, initDurationMs);
        }
        this.initialized = true;
      }
      const marker = newMarker();
      this.capture.expect(marker);
      this.channel.write(`${JSON.stringify({ type: 'invoke', ...message, deadlineMs, marker })}\n`);
      const reply = await Promise.race([this.next(), timeout]);
      if (reply === 'timeout') return await this.finish({ kind: 'timeout' }, started, initDurationMs);
      if (reply === undefined) return await this.finish(this.exitOutcome(), started, initDurationMs);
      await this.capture.markersSeen(MARKER_GRACE_MS);
      const outcome: Outcome = reply.type === 'result' ? { kind: 'result', payload: reply.payload }
        : reply.type === 'error' ? { kind: 'error', error: reply.error }
          : { kind: 'exit', code: null, signal: null };
      return await this.finish(outcome, started, initDurationMs);
    } finally {
      clearTimeout(timer.handle);
    }
  }

  /** Kills the process group (the function and anything it started). */
  kill(): void {
    if (!this.alive || this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  /** Ends the process and waits until its pipes are drained. */
  async stop(): Promise<void> {
    this.kill();
    await this.closed;
  }

  private async finish(outcome: Outcome, started: number, initDurationMs?: number): Promise<Served> {
    const durationMs = performance.now() - started;
    const maxMemoryUsedMb = this.peakMemoryMb();
    if (outcome.kind === 'timeout' || outcome.kind === 'exit' || outcome.kind === 'init-error') {
      // The process is done for: everything it printed is this invocation's.
      this.kill();
      await this.closed;
    }
    return { outcome, output: this.capture.take(), durationMs, initDurationMs, maxMemoryUsedMb };
  }

  private exitOutcome(): Outcome {
    return { kind: 'exit', code: this.exitInfo?.code ?? null, signal: this.exitInfo?.signal ?? null };
  }

  /** The next message from the bootstrap; undefined once the process has exited. */
  private async next(): Promise<Message | undefined> {
    for (;;) {
      const m = this.messages.shift();
      if (m) return m;
      if (!this.alive) {
        // An answer written just before exiting may still be in the pipe: drain it first.
        this.kill();
        await this.closed;
        return this.messages.shift();
      }
      await new Promise<void>((resolve) => { this.notify = resolve; });
      this.notify = undefined;
    }
  }

  /** The process's peak resident memory (Linux's VmHWM), as REPORT's Max Memory Used. */
  private peakMemoryMb(): number | undefined {
    if (this.child.pid === undefined || !this.alive) return undefined;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m ? Math.ceil(Number(m[1]) / 1024) : undefined;
    } catch {
      return undefined;
    }
  }
}
