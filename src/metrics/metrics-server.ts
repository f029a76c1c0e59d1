/**
 * `--metrics-listen HOST:PORT`: /metrics, /health and /ready on a plain-HTTP listener of their
 * own (for a scraper on a private interface), and the API listener no longer serves /metrics.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { answerProbe, probePath, type ProbeTarget } from './probes.ts';

export interface MetricsServer {
  /** `http://host:port`, the port chosen when 0 was asked for. */
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(target: ProbeTarget, host: string, port: number, draining: () => boolean): Promise<MetricsServer> {
  const server: Server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 10_000, headersTimeout: 5_000 }, (req, res) => {
    req.resume();
    const requestId = randomUUID();
    const path = probePath(req.method, req.url, true);
    if (!path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: this listener serves /metrics, /health and /ready\n');
      return;
    }
    void answerProbe(target, path, draining(), requestId).then((wire) => res.writeHead(wire.status, wire.headers).end(wire.body));
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
