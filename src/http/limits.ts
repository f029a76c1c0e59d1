/**
 * What one client may hold of the front door: header size and count, connections, and how
 * long it may take to send a request (slow clients, "slowloris", hold a connection open by
 * sending a header line or a body byte now and then). Node enforces the size, connection
 * and time limits itself; the header count it silently truncates, so the front door refuses
 * a request that reached the cap (`tooManyHeaders`).
 */
import type { Server, ServerOptions, IncomingMessage } from 'node:http';
import { UsageError } from '../config.ts';

export interface HttpLimits {
  /** Largest request line plus headers, in bytes (Node answers 431 above it). */
  maxHeaderBytes: number;
  /** Most header fields in one request. */
  maxHeaderCount: number;
  /** Most open connections; more are closed as they are accepted. */
  maxConnections: number;
  /** A request's headers must arrive within this (ms), or the connection gets 408 and closes. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (ms). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection closes after this (ms). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_LIMITS: HttpLimits = {
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxConnections: 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  // Above the 60 s idle timeout of AWS's load balancers, so a client never reuses a socket the server is closing.
  keepAliveTimeoutMs: 65_000,
};

export const LIMIT_FLAGS = ['max-header-bytes', 'max-header-count', 'max-connections', 'headers-timeout', 'request-timeout', 'keep-alive-timeout'];

/** `--max-header-bytes` … `--keep-alive-timeout` (timeouts in seconds, fractions allowed). */
export function parseHttpLimits(one: (name: string, envName: string) => string | undefined): HttpLimits {
  const int = (flag: string, env: string, dflt: number, min: number) => {
    const raw = one(flag, env);
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer of at least ${min}, got '${raw}'`);
    return n;
  };
  const seconds = (flag: string, env: string, dfltMs: number) => {
    const raw = one(flag, env);
    if (raw === undefined) return dfltMs;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number of seconds above 0, got '${raw}'`);
    return Math.round(n * 1000);
  };
  const limits: HttpLimits = {
    maxHeaderBytes: int('max-header-bytes', 'COFFER_MAX_HEADER_BYTES', DEFAULT_LIMITS.maxHeaderBytes, 1024),
    maxHeaderCount: int('max-header-count', 'COFFER_MAX_HEADER_COUNT', DEFAULT_LIMITS.maxHeaderCount, 16),
    maxConnections: int('max-connections', 'COFFER_MAX_CONNECTIONS', DEFAULT_LIMITS.maxConnections, 1),
    headersTimeoutMs: seconds('headers-timeout', 'COFFER_HEADERS_TIMEOUT', DEFAULT_LIMITS.headersTimeoutMs),
    requestTimeoutMs: seconds('request-timeout', 'COFFER_REQUEST_TIMEOUT', DEFAULT_LIMITS.requestTimeoutMs),
    keepAliveTimeoutMs: seconds('keep-alive-timeout', 'COFFER_KEEP_ALIVE_TIMEOUT', DEFAULT_LIMITS.keepAliveTimeoutMs),
  };
  // Node requires it: the headers are part of the request.
  if (limits.requestTimeoutMs < limits.headersTimeoutMs) throw new UsageError('--request-timeout must be at least --headers-timeout');
  return limits;
}

/** node:http options enforcing the limits. */
export function serverOptions(limits: HttpLimits): ServerOptions {
  return {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node looks for requests past their timeouts (default 30 s, longer than a short timeout).
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** Limits node:http applies on the server object rather than through its options. */
export function applyServerLimits(server: Server, limits: HttpLimits): void {
  server.maxConnections = limits.maxConnections;
  // One more than allowed, so a request over the limit is seen (Node drops fields past the cap).
  server.maxHeadersCount = limits.maxHeaderCount + 1;
}

export function tooManyHeaders(req: IncomingMessage, limits: HttpLimits): boolean {
  return req.rawHeaders.length / 2 > limits.maxHeaderCount;
}

/** What Node itself answers when the headers are too large: 431 and close. */
export const HEADERS_TOO_LARGE = { status: 431, headers: { connection: 'close' }, body: '' };
