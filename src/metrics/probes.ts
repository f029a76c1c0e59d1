/**
 * The operator's endpoints, unsigned GETs: `/health` (liveness: the process answers; 503 while
 * it drains so balancers stop sending), `/ready` (readiness: not draining and the database
 * answers) and `/metrics` (Prometheus text). See docs/operations.md.
 */
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

export type ProbePath = '/health' | '/ready' | '/metrics';

export interface ProbeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProbeTarget {
  metrics: Metrics;
  readiness: Readiness;
}

const PATHS = new Set<string>(['/health', '/ready', '/metrics']);

/** The probe a GET asks for (a query string is ignored, as scrapers add one), if any. */
export function probePath(method: string | undefined, url: string | undefined, withMetrics: boolean): ProbePath | undefined {
  if (method !== 'GET' || url === undefined) return undefined;
  const path = url.split('?', 1)[0]!;
  if (!PATHS.has(path) || (path === '/metrics' && !withMetrics)) return undefined;
  return path as ProbePath;
}

export async function answerProbe(target: ProbeTarget, path: ProbePath, draining: boolean, requestId: string): Promise<ProbeResponse> {
  const json = (status: number, body: Record<string, string>): ProbeResponse => ({
    status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body),
  });
  if (path === '/health') return json(draining ? 503 : 200, { status: draining ? 'draining' : 'ok' });
  if (path === '/ready') {
    if (draining) return json(503, { status: 'draining' });
    const answer = await target.readiness.check();
    return answer.ready ? json(200, { status: 'ready' }) : json(503, { status: 'unavailable', reason: answer.reason ?? 'not ready' });
  }
  const { contentType, body } = await target.metrics.render();
  return { status: 200, headers: { 'content-type': contentType, 'x-amzn-requestid': requestId }, body };
}
