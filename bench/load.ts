/**
 * One load-generator process for `npm run bench`, forked by bench/run.ts so that the client
 * never shares a CPU (or an event loop) with the server it measures.
 *
 * It keeps `connections` keep-alive connections busy in closed loops: each loop signs a
 * request with SigV4 (AWS's own signer, per request, as an SDK does), sends it, waits for
 * the whole response, records the latency and starts over. Latencies are recorded only in
 * the measured window, after the warm-up.
 *
 * Protocol with the parent (IPC): child → {ready}; parent → {go: LoadConfig};
 * child → {result: LoadResult}, then exits.
 */
import { Agent, request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';

export interface LoadConfig {
  endpoint: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  target: string;
  body: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

export interface LoadResult {
  completed: number;
  errors: number;
  /** First unexpected status and body, to say what went wrong. */
  firstError?: string;
  /** Measured window, ms. */
  elapsedMs: number;
  /** Latency of every request completed in the measured window, µs. */
  latenciesUs: number[];
  /** This process's CPU time over the measured window, ms. */
  cpuMs: number;
}

async function run(cfg: LoadConfig): Promise<LoadResult> {
  const url = new URL(cfg.endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.connections, maxFreeSockets: cfg.connections });
  const signer = new SignatureV4({
    credentials: cfg.credentials, region: cfg.region, service: 'secretsmanager', sha256: Hash.bind(null, 'sha256'),
  });
  const bodyLength = String(Buffer.byteLength(cfg.body));

  const start = performance.now();
  const measureFrom = start + cfg.warmupMs;
  const stopAt = measureFrom + cfg.durationMs;
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let firstError: string | undefined;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const cpuTimer = setTimeout(() => { cpuAtStart = process.cpuUsage(); }, cfg.warmupMs);

  async function once(): Promise<void> {
    const unsigned = new HttpRequest({
      method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': cfg.target, 'content-length': bodyLength },
      body: cfg.body,
    });
    const signed = await signer.sign(unsigned);
    const sent = performance.now();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'POST', path: '/', headers: signed.headers, agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(cfg.body);
    });
    const done = performance.now();
    if (status !== 200) {
      errors++;
      firstError ??= `${status} ${text.slice(0, 300)}`;
    }
    if (sent >= measureFrom && done <= stopAt) {
      completed++;
      latencies.push(Math.round((done - sent) * 1000));
    }
  }

  async function loop(): Promise<void> {
    while (performance.now() < stopAt) {
      try {
        await once();
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  }

  await Promise.all(Array.from({ length: cfg.connections }, loop));
  clearTimeout(cpuTimer);
  const cpu = process.cpuUsage(cpuAtStart);
  agent.destroy();
  return {
    completed, errors, firstError,
    elapsedMs: cfg.durationMs,
    latenciesUs: latencies,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (msg: { go?: LoadConfig }) => {
  if (!msg.go) return;
  void run(msg.go).then((result) => {
    process.send!({ result }, () => process.exit(0));
  });
});
process.send!({ ready: true });
