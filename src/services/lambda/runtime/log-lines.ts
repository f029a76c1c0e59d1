/**
 * The lines Lambda writes around each invocation in the function's log, and the error
 * payloads it answers with when the runtime itself fails (timeout, a process that died).
 */

export const LOG_TAIL_BYTES = 4096;

export function startLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export interface ReportFacts {
  durationMs: number;
  memorySize: number;
  maxMemoryUsedMb?: number;
  /** Only on the invocation that started the process. */
  initDurationMs?: number;
  status?: 'timeout' | 'error';
}

export function reportLine(requestId: string, r: ReportFacts): string {
  const parts = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${r.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms`,
    `Memory Size: ${r.memorySize} MB`,
    `Max Memory Used: ${r.maxMemoryUsedMb ?? 0} MB`,
  ];
  if (r.initDurationMs !== undefined) parts.push(`Init Duration: ${r.initDurationMs.toFixed(2)} ms`);
  if (r.status) parts.push(`Status: ${r.status}`);
  return `${parts.join('\t')}\t\n`;
}

/** Lambda's classic timeout text: `<ISO time> <request id> Task timed out after 3.00 seconds`. */
export function timeoutMessage(at: Date, requestId: string, timeoutSeconds: number): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

/** How Lambda (a Go program) describes a runtime process's end: `exit status 1`, `signal: killed`. */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal) return `signal: ${SIGNAL_TEXT[signal] ?? signal.toLowerCase()}`;
  if (code !== null && code !== 0) return `exit status ${code}`;
  return undefined;
}

const SIGNAL_TEXT: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGTERM: 'terminated',
  SIGBUS: 'bus error', SIGILL: 'illegal instruction', SIGFPE: 'floating point exception', SIGINT: 'interrupt',
};

/** The `Runtime.ExitError` payload of an invocation whose process ended before answering. */
export function exitError(requestId: string, code: number | null, signal: NodeJS.Signals | null): { errorType: string; errorMessage: string } {
  const how = exitDescription(code, signal);
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: ${how ? `Runtime exited with error: ${how}` : 'Runtime exited without providing a reason'}`,
  };
}

/** The last `LOG_TAIL_BYTES` bytes of a log, cut at a character boundary. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, 'utf8');
  if (bytes.length <= LOG_TAIL_BYTES) return log;
  let start = bytes.length - LOG_TAIL_BYTES;
  // Skip UTF-8 continuation bytes so the tail starts on a whole character.
  while (start < bytes.length && (bytes[start]! & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString('utf8');
}
