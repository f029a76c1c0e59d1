/**
 * What a function's process prints, cut into invocations. A warm process serves many
 * invocations over the same stdout and stderr, and its result arrives on another pipe, so
 * the order of arrival says nothing about which output belongs to which invocation. The
 * bootstrap therefore writes the invocation's marker (random, per invocation) to both streams
 * once the handler has returned; output before the markers is that invocation's, output after
 * them the next one's.
 *
 * Each invocation's window is bounded: past `limitBytes` the oldest output is dropped (the
 * end of a log, with the error and the REPORT line, is what a reader needs).
 */
import { randomBytes } from 'node:crypto';

export type StreamName = 'stdout' | 'stderr';

interface StreamState {
  /** Bytes that may be the start of the expected marker, held back until the next chunk. */
  held: Buffer;
  /** The current marker was seen on this stream. */
  seen: boolean;
}

export const DEFAULT_WINDOW_LIMIT = 1024 * 1024;

export function newMarker(): string {
  return `\u0000coffer-end:${randomBytes(12).toString('hex')}\u0000`;
}

export class OutputCapture {
  private window: Buffer[] = [];
  private windowBytes = 0;
  private dropped = 0;
  /** Output after this invocation's markers: the start of the next window. */
  private next: Buffer[] = [];
  private marker: Buffer | undefined;
  private readonly streams: Record<StreamName, StreamState> = {
    stdout: { held: Buffer.alloc(0), seen: false },
    stderr: { held: Buffer.alloc(0), seen: false },
  };
  private waiter: (() => void) | undefined;

  constructor(private readonly limitBytes = DEFAULT_WINDOW_LIMIT) {}

  feed(stream: StreamName, chunk: Buffer): void {
    const state = this.streams[stream];
    if (!this.marker || state.seen) {
      this.append(this.marker ? 'next' : 'window', chunk);
      return;
    }
    const data = state.held.length ? Buffer.concat([state.held, chunk]) : chunk;
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      state.held = Buffer.alloc(0);
      state.seen = true;
      this.append('window', data.subarray(0, at));
      this.append('next', data.subarray(at + this.marker.length));
      if (this.streams.stdout.seen && this.streams.stderr.seen) this.waiter?.();
      return;
    }
    // Keep back what could be the marker's beginning, cut by the pipe between two chunks.
    const keep = Math.min(data.length, this.marker.length - 1);
    state.held = Buffer.from(data.subarray(data.length - keep));
    this.append('window', data.subarray(0, data.length - keep));
  }

  /** The invocation starts: its end will be marked by `marker` on both streams. */
  expect(marker: string): void {
    this.marker = Buffer.from(marker, 'utf8');
    this.streams.stdout.seen = false;
    this.streams.stderr.seen = false;
  }

  /** Resolves once both markers were seen, or after `graceMs` (a function that closed its stdout). */
  markersSeen(graceMs: number): Promise<void> {
    if (!this.marker || (this.streams.stdout.seen && this.streams.stderr.seen)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, graceMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiter = done;
    });
  }

  /** The invocation's output so far, as text; starts the next window. */
  take(): string {
    for (const s of Object.values(this.streams)) {
      if (s.held.length) this.append('window', s.held);
      s.held = Buffer.alloc(0);
    }
    const text = (this.dropped ? `[coffer: ${this.dropped} bytes of earlier output dropped]\n` : '') + Buffer.concat(this.window).toString('utf8');
    this.window = [];
    this.windowBytes = 0;
    this.dropped = 0;
    this.marker = undefined;
    this.waiter = undefined;
    for (const part of this.next.splice(0)) this.append('window', part);
    return text;
  }

  private append(where: 'window' | 'next', data: Buffer): void {
    if (data.length === 0) return;
    if (where === 'next') {
      this.next.push(Buffer.from(data));
      return;
    }
    this.window.push(Buffer.from(data));
    this.windowBytes += data.length;
    while (this.windowBytes > this.limitBytes && this.window.length > 0) {
      const first = this.window[0]!;
      const excess = this.windowBytes - this.limitBytes;
      if (first.length <= excess) {
        this.window.shift();
        this.windowBytes -= first.length;
        this.dropped += first.length;
      } else {
        this.window[0] = first.subarray(excess);
        this.windowBytes -= excess;
        this.dropped += excess;
      }
    }
  }
}
