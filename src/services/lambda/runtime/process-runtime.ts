/**
 * The process runtime: runs each invocation in a child process with a Lambda-like bootstrap,
 * at most `concurrency` at once (the rest wait in line), reusing a warm process of the same
 * function, code and configuration when one is idle. Processes idle for `idleMs`, processes
 * of a function whose code or configuration changed, and processes whose credentials are
 * about to expire are ended. Every invocation's log (START … REPORT around what the function
 * printed) is stored sealed; see function-logs.ts and docs/lambda.md, "Runtime".
 */
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { AwsError } from '../../../errors.ts';
import type { Database } from '../../../storage/schema.ts';
import type { RootKeySealer } from '../../../crypto/root-key-ring.ts';
import type { FunctionConfig, FunctionRuntime, InvokeRequest, InvokeResult } from '../contract.ts';
import { CodeDirs, CodeUnpackError, type ProcessUser } from './code-dirs.ts';
import { functionEnvironment, isNodeRuntime, isPythonRuntime } from './environment.ts';
import { FunctionProcess, type Outcome, type Served, type SpawnSpec } from './function-process.ts';
import { storeInvocationLog } from './function-logs.ts';
import { endLine, exitError, logTail, reportLine, startLine, timeoutMessage } from './log-lines.ts';
import { ExecutionRoleCredentials, type MintCredentials } from './role-credentials.ts';
import { Slots } from './slots.ts';
import { sweepDeadRunDirs } from './run-dir.ts';

export interface ProcessRuntimeOptions {
  db: Kysely<Database>;
  /** The root key ring: logs are sealed under it. */
  sealer: RootKeySealer;
  /** Mints a function's execution-role session (`lambdaSessions(stsDeps)` in role-credentials.ts). */
  credentials: MintCredentials;
  /** The server's own URL, given to functions as AWS_ENDPOINT_URL and SECRETS_MANAGER_ENDPOINT. */
  endpoint: () => string;
  /** The CA bundle functions trust for the endpoint (HTTPS with coffer's own CA); undefined: none. */
  caBundle?: () => string | undefined;
  /** Interpreter for python3.x functions; default /usr/bin/python3. */
  python?: string;
  /** `node` for nodejs functions; default this process's. */
  node?: string;
  /** Invocations running at once; default 4. */
  concurrency?: number;
  /** An idle warm process is ended after this long; default 5 minutes. */
  idleMs?: number;
  /** Warm processes kept idle at most (the least recently used go first); default 2 × concurrency. */
  maxIdle?: number;
  /**
   * The operating-system user functions run as. Default: `nobody` (65534) when the server runs
   * as root, so a function cannot read the root key file or the database; otherwise the
   * server's own user (docs/lambda.md, "Isolation"). `null`: always the server's user.
   */
  user?: ProcessUser | null;
  /** Where failures to store a log are reported. */
  onError?: (err: unknown, what: string) => void;
}

interface Warm {
  proc: FunctionProcess;
  /** Function ARN, code hash and configuration: which invocations this process may serve. */
  key: string;
  functionArn: string;
  codeSha256: string;
  logStream: string;
  credentialsExpireAt: number;
  idleTimer?: NodeJS.Timeout;
  /** performance.now() when it last went idle. */
  idleSince?: number;
}

const BOOTSTRAP_DIR = fileURLToPath(new URL('./bootstrap/', import.meta.url));
const EMPTY = Buffer.alloc(0);
/** Debian's `nobody`/`nogroup`. */
const NOBODY: ProcessUser = { uid: 65534, gid: 65534 };
/** A warm process is reused only if its credentials outlive the invocation by this much. */
const CREDENTIALS_MARGIN_MS = 60_000;

export const runtimeClosing = () => new AwsError('ServiceException', 'The function runtime is shutting down.', 500);

let swept = false;
/** A server killed with SIGKILL leaves its run directory (code, CA copy): the next runtime to start removes it. */
function sweepOnce(): void {
  if (swept) return;
  swept = true;
  sweepDeadRunDirs();
}

export function createProcessRuntime(options: ProcessRuntimeOptions): FunctionRuntime {
  return new ProcessRuntime(options);
}

/** Everything that shapes a process: a change in any of it needs a new one. */
function configKey(fn: FunctionConfig): string {
  const shape = JSON.stringify([fn.runtime, fn.handler, fn.roleArn, fn.timeoutSeconds, fn.memorySize, fn.environment, fn.region]);
  return `${fn.functionArn}|${fn.codeSha256}|${createHash('sha256').update(shape).digest('base64')}`;
}

/** `2024/05/01/[$LATEST]0f…`: a log stream per process, as Lambda names them. */
function logStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export class ProcessRuntime implements FunctionRuntime {
  private readonly slots: Slots;
  private readonly codeDirs: CodeDirs;
  private readonly user: ProcessUser | undefined;
  private readonly roleCredentials: ExecutionRoleCredentials;
  /** Idle warm processes by key, most recently used last. */
  private readonly idle = new Map<string, Warm[]>();
  private readonly all = new Set<Warm>();
  /** The configuration key each function was last invoked with: older processes are retired. */
  private readonly current = new Map<string, { key: string; codeSha256: string }>();
  private readonly running = new Set<Promise<unknown>>();
  private closing = false;
  private readonly python: string;
  private readonly node: string;
  private readonly idleMs: number;
  private readonly maxIdle: number;

  constructor(private readonly options: ProcessRuntimeOptions) {
    const concurrency = options.concurrency ?? 4;
    this.slots = new Slots(concurrency);
    this.roleCredentials = new ExecutionRoleCredentials(options.credentials);
    this.user = options.user === undefined ? (process.getuid?.() === 0 ? NOBODY : undefined) : options.user ?? undefined;
    this.codeDirs = new CodeDirs(this.user);
    sweepOnce();
    this.python = options.python ?? '/usr/bin/python3';
    this.node = options.node ?? process.execPath;
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.maxIdle = options.maxIdle ?? concurrency * 2;
  }

  /** Processes alive now (idle and busy), for tests and metrics. */
  get processCount(): number {
    return this.all.size;
  }

  async invoke(fn: FunctionConfig, code: () => Promise<Buffer>, request: InvokeRequest): Promise<InvokeResult> {
    if (this.closing) throw runtimeClosing();
    if (!isNodeRuntime(fn.runtime) && !isPythonRuntime(fn.runtime)) {
      throw new AwsError('InvalidRuntimeException', `The runtime parameter of ${fn.runtime} is not supported by this server.`, 502);
    }
    if (request.invocationType === 'DryRun') return { statusCode: 204, payload: EMPTY, executedVersion: '$LATEST' };
    const run = this.track(this.run(fn, code, request));
    if (request.invocationType === 'Event') {
      // Queued and run in the background; its outcome is only in the function's log.
      run.catch((err) => this.options.onError?.(err, `asynchronous invocation ${request.requestId} of ${fn.functionArn}`));
      return { statusCode: 202, payload: EMPTY, executedVersion: '$LATEST' };
    }
    return run;
  }

  async close(): Promise<void> {
    this.closing = true;
    // Running invocations end by their timeouts at the latest.
    await Promise.allSettled([...this.running]);
    await Promise.all([...this.all].map((w) => this.retire(w)));
    await this.codeDirs.removeAll();
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    void p.finally(() => this.running.delete(p)).catch(() => undefined);
    return p;
  }

  private async run(fn: FunctionConfig, code: () => Promise<Buffer>, request: InvokeRequest): Promise<InvokeResult> {
    const key = configKey(fn);
    this.noteCurrent(fn, key);
    await this.slots.acquire();
    try {
      const startedAt = Date.now();
      let warm: Warm;
      try {
        warm = this.takeIdle(key, fn, startedAt) ?? await this.start(fn, key, code);
      } catch (err) {
        if (err instanceof CodeUnpackError) return await this.unrunnable(fn, request, startedAt, err.message);
        throw err;
      }
      const deadline = startedAt + fn.timeoutSeconds * 1000;
      const served = await warm.proc.invoke({ requestId: request.requestId, functionArn: fn.functionArn, payload: request.payload.toString('utf8') }, deadline);
      await this.release(warm, served.outcome);
      // Lambda stamps the timeout with the moment the time ran out.
      const timedOutAt = new Date(deadline);
      const log = composeLog(fn, request.requestId, served, timedOutAt);
      await this.storeLog(fn, request.requestId, startedAt, warm.logStream, log);
      return result(fn, request, served.outcome, log, timedOutAt);
    } finally {
      this.slots.release();
    }
  }

  /** A newer configuration or code: idle processes of the older ones go now, busy ones when they finish. */
  private noteCurrent(fn: FunctionConfig, key: string): void {
    const before = this.current.get(fn.functionArn);
    if (before?.key === key) return;
    this.current.set(fn.functionArn, { key, codeSha256: fn.codeSha256 });
    if (!before) return;
    this.roleCredentials.forget(fn.functionArn);
    for (const warm of this.idle.get(before.key) ?? []) void this.retire(warm);
    this.idle.delete(before.key);
  }

  private takeIdle(key: string, fn: FunctionConfig, now: number): Warm | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const warm = list.pop()!;
      clearTimeout(warm.idleTimer);
      if (list.length === 0) this.idle.delete(key);
      if (warm.proc.alive && warm.credentialsExpireAt - now > fn.timeoutSeconds * 1000 + CREDENTIALS_MARGIN_MS) return warm;
      void this.retire(warm);
    }
    return undefined;
  }

  private async start(fn: FunctionConfig, key: string, code: () => Promise<Buffer>): Promise<Warm> {
    const credentials = await this.roleCredentials.get(fn);
    const taskRoot = await this.codeDirs.acquire(fn.codeSha256, code);
    const logStream = logStreamName(new Date());
    const interpreter = isPythonRuntime(fn.runtime) ? this.python : this.node;
    const env = functionEnvironment(fn, {
      taskRoot, interpreter, logStreamName: logStream, endpoint: this.options.endpoint(), caBundle: this.options.caBundle?.(),
      credentials: { accessKeyId: credentials.AccessKeyId, secretAccessKey: credentials.SecretAccessKey, sessionToken: credentials.SessionToken },
    });
    const spec: SpawnSpec = isPythonRuntime(fn.runtime)
      // -u: unbuffered, so output is in the log even if the process dies; -B: no .pyc files in the code dir.
      ? { command: interpreter, args: ['-u', '-B', `${BOOTSTRAP_DIR}python-bootstrap.py`], cwd: taskRoot, env, user: this.user }
      : { command: interpreter, args: [`${BOOTSTRAP_DIR}node-bootstrap.mjs`], cwd: taskRoot, env, user: this.user };
    const warm: Warm = {
      proc: new FunctionProcess(spec), key, functionArn: fn.functionArn, codeSha256: fn.codeSha256, logStream,
      credentialsExpireAt: credentials.Expiration.getTime(),
    };
    this.all.add(warm);
    return warm;
  }

  /** After an invocation: back to the idle list if the process is healthy and still current, else ended. */
  private async release(warm: Warm, outcome: Outcome): Promise<void> {
    const reusable = (outcome.kind === 'result' || outcome.kind === 'error') && warm.proc.alive
      && !this.closing && this.current.get(warm.functionArn)?.key === warm.key;
    if (!reusable) {
      await this.retire(warm);
      return;
    }
    const list = this.idle.get(warm.key) ?? [];
    warm.idleSince = performance.now();
    list.push(warm);
    this.idle.set(warm.key, list);
    warm.idleTimer = setTimeout(() => this.evict(warm), this.idleMs);
    warm.idleTimer.unref();
    this.trimIdle();
  }

  private evict(warm: Warm): void {
    const list = this.idle.get(warm.key);
    const at = list?.indexOf(warm) ?? -1;
    if (list && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.idle.delete(warm.key);
    void this.retire(warm);
  }

  /** Keeps at most `maxIdle` idle processes, ending those idle longest. */
  private trimIdle(): void {
    let count = 0;
    for (const list of this.idle.values()) count += list.length;
    while (count > this.maxIdle) {
      let oldest: Warm | undefined;
      // Each list is oldest-first, so the one idle longest is among their heads.
      for (const list of this.idle.values()) {
        const head = list[0];
        if (head && (!oldest || head.idleSince! < oldest.idleSince!)) oldest = head;
      }
      if (!oldest) return;
      clearTimeout(oldest.idleTimer);
      this.evict(oldest);
      count--;
    }
  }

  private async retire(warm: Warm): Promise<void> {
    if (!this.all.delete(warm)) return;
    clearTimeout(warm.idleTimer);
    await warm.proc.stop();
    const current = [...this.current.values()].some((c) => c.codeSha256 === warm.codeSha256);
    this.codeDirs.release(warm.codeSha256, current && !this.closing);
  }

  /** The code cannot be unpacked: answered as Lambda answers a function whose module cannot load. */
  private async unrunnable(fn: FunctionConfig, request: InvokeRequest, startedAt: number, message: string): Promise<InvokeResult> {
    const error = { errorType: 'Runtime.ImportModuleError', errorMessage: message };
    const served: Served = { outcome: { kind: 'init-error', error }, output: `${message}\n`, durationMs: Date.now() - startedAt };
    const log = composeLog(fn, request.requestId, served, new Date());
    await this.storeLog(fn, request.requestId, startedAt, logStreamName(new Date(startedAt)), log);
    return result(fn, request, served.outcome, log, new Date());
  }

  private async storeLog(fn: FunctionConfig, requestId: string, startedAt: number, logStream: string, text: string): Promise<void> {
    try {
      await storeInvocationLog(this.options.db, this.options.sealer, { requestId, functionArn: fn.functionArn, startedAt, logStream, text });
    } catch (err) {
      // A log that cannot be written must not fail the invocation the function already ran.
      this.options.onError?.(err, `storing the log of ${requestId}`);
    }
  }
}

/** START, what the function printed, the runtime's own error lines, END, REPORT (and the timeout line after it, as Lambda writes it). */
function composeLog(fn: FunctionConfig, requestId: string, served: Served, timedOutAt: Date): string {
  const { outcome } = served;
  let output = served.output;
  if (output && !output.endsWith('\n')) output += '\n';
  let text = startLine(requestId) + output;
  if (outcome.kind === 'exit') {
    text += `${exitError(requestId, outcome.code, outcome.signal).errorMessage}\nRuntime.ExitError\n`;
  }
  const status = outcome.kind === 'timeout' ? 'timeout' as const
    : outcome.kind === 'exit' || outcome.kind === 'init-error' ? 'error' as const : undefined;
  text += endLine(requestId);
  text += reportLine(requestId, {
    durationMs: outcome.kind === 'timeout' ? Math.max(served.durationMs, fn.timeoutSeconds * 1000) : served.durationMs,
    memorySize: fn.memorySize, maxMemoryUsedMb: served.maxMemoryUsedMb, initDurationMs: served.initDurationMs, status,
  });
  if (outcome.kind === 'timeout') text += `${timeoutMessage(timedOutAt, requestId, fn.timeoutSeconds)}\n`;
  return text;
}

function result(fn: FunctionConfig, request: InvokeRequest, outcome: Outcome, log: string, timedOutAt: Date): InvokeResult {
  const base = {
    statusCode: request.invocationType === 'Event' ? 202 : 200,
    executedVersion: '$LATEST',
    ...(request.logType === 'Tail' ? { logTail: logTail(log) } : {}),
  };
  switch (outcome.kind) {
    case 'result':
      return { ...base, payload: Buffer.from(outcome.payload, 'utf8') };
    case 'error':
    case 'init-error':
      return { ...base, functionError: 'Unhandled', payload: Buffer.from(JSON.stringify(outcome.error), 'utf8') };
    case 'timeout':
      return { ...base, functionError: 'Unhandled', payload: Buffer.from(JSON.stringify({ errorMessage: timeoutMessage(timedOutAt, request.requestId, fn.timeoutSeconds) }), 'utf8') };
    case 'exit':
      return { ...base, functionError: 'Unhandled', payload: Buffer.from(JSON.stringify(exitError(request.requestId, outcome.code, outcome.signal)), 'utf8') };
  }
}
