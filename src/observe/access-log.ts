/**
 * One JSON line per API request at `debug` level (`--log-level debug`): who called what, the
 * status, the error code and how long it took. Never the input or output, which may hold
 * secret values; the principal's ARN and access key id are identifiers, not secrets, and
 * CloudTrail keeps them too. Off at the default `info` level, so the hot path pays nothing.
 */
import type { Logger } from 'pino';
import type { RequestObservers, RequestRecord } from './request-record.ts';

export function startAccessLog(log: Logger, observers: RequestObservers): (() => void) | undefined {
  if (!log.isLevelEnabled('debug')) return undefined;
  return observers.add((record: RequestRecord) => {
    log.debug({
      event: 'Request',
      requestId: record.requestId,
      protocol: record.protocol,
      service: record.service,
      operation: record.operation,
      status: record.status,
      errorCode: record.error?.code,
      durationMs: Math.round(record.durationMs * 100) / 100,
      principal: record.ctx?.principal.arn,
      accessKeyId: record.ctx?.principal.accessKeyId,
      region: record.ctx?.region,
      sourceIp: record.sourceIp,
      userAgent: record.userAgent,
    }, 'request');
  });
}
