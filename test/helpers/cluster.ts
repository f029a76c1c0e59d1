/**
 * Several `coffer serve` processes on one PostgreSQL schema, and a client-side load balancer
 * for them that behaves as a real one does: it polls each node's /ready, sends each request
 * to a node it believes up, and retries elsewhere only a request that never reached a node
 * (connection refused). Every request's outcome is recorded, so a test can tell requests that
 * failed because their node was killed under them from any other failure.
 */
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer, type Credentials, type TestServer } from './server.ts';

export interface ClusterNodeOptions {
  databaseUrl: string;
  root: Credentials;
  /** The root key every node shares (base64), given as COFFER_ROOT_KEY. */
  rootKey: string;
  args?: string[];
  dataDir?: string;
}

export function newRootKey(): string {
  return randomBytes(32).toString('base64');
}

export function startNode(o: ClusterNodeOptions): Promise<TestServer> {
  return startServer({ databaseUrl: o.databaseUrl, root: o.root, dataDir: o.dataDir, env: { COFFER_ROOT_KEY: o.rootKey }, args: o.args });
}

export interface Node {
  name: string;
  server: TestServer;
  sm: SecretsManagerClient;
  up: boolean;
}

export interface RequestRecord {
  node: string;
  what: string;
  startedAt: number;
  endedAt: number;
  error?: string;
}

function ready(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(`${endpoint}/ready`, { agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function connectionRefused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED';
}

export class Balancer {
  readonly nodes = new Map<string, Node>();
  readonly records: RequestRecord[] = [];
  /** Requests that found their node gone before sending, and went to another. */
  redirected = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(pollMs = 100) {
    this.timer = setInterval(() => {
      for (const node of this.nodes.values()) void ready(node.server.endpoint).then((up) => { node.up = up; });
    }, pollMs);
  }

  add(name: string, server: TestServer): Node {
    const node: Node = {
      name, server, up: true,
      sm: new SecretsManagerClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: server.root, maxAttempts: 1 }),
    };
    this.nodes.set(name, node);
    return node;
  }

  remove(name: string): void {
    const node = this.nodes.get(name);
    if (!node) return;
    this.nodes.delete(name);
    node.sm.destroy();
  }

  private pick(): Node {
    const up = [...this.nodes.values()].filter((n) => n.up);
    const from = up.length > 0 ? up : [...this.nodes.values()];
    return from[Math.floor(Math.random() * from.length)]!;
  }

  /** Sends `op` through a node the balancer believes up; records the outcome. */
  async send<T>(what: string, op: (sm: SecretsManagerClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const node = this.pick();
      const startedAt = Date.now();
      try {
        const out = await op(node.sm);
        this.records.push({ node: node.name, what, startedAt, endedAt: Date.now() });
        return out;
      } catch (err) {
        // Nothing was sent: a load balancer tries the next backend.
        if (connectionRefused(err) && attempt < 20) {
          node.up = false;
          this.redirected++;
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        const e = err as Error & { code?: string };
        this.records.push({ node: node.name, what, startedAt, endedAt: Date.now(), error: `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}` });
        throw err;
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const node of this.nodes.values()) node.sm.destroy();
  }
}
