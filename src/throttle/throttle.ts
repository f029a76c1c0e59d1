/**
 * Per-account, per-region, per-operation request rates (token buckets on this node), checked
 * once a request is authenticated and its operation known. As in AWS, the account throttled
 * is the caller's, not the owner of the resource it calls (Secrets Manager quotas page,
 * "cross-account requests"). With several nodes on one PostgreSQL each bucket holds this
 * node's share of the quota (src/throttle/cluster-share.ts), so the cluster admits about the
 * quota with no database round trip per request. Defaults: src/throttle/quotas.ts;
 * configuration: `--throttle`, `--throttle-rate`, `--throttle-burst` (docs/operations.md, "Throttling").
 */
import { AwsError } from '../errors.ts';
import { nodeShare } from './cluster-share.ts';
import { DEFAULT_QUOTAS, type QuotaGroup } from './quotas.ts';
import { TokenBucket } from './token-bucket.ts';

export interface ThrottleConfig {
  enabled: boolean;
  /** Bucket size in seconds of its rate: how long a burst above the rate may last from full. */
  burstSeconds: number;
  /** `service:Operation=rate` or `service:*=rate`, applied over the defaults in order. */
  overrides: RateOverride[];
}

export interface RateOverride {
  service: string;
  operation: string;
  rate: number;
}

export const DEFAULT_THROTTLE: ThrottleConfig = { enabled: true, burstSeconds: 10, overrides: [] };

/** Parses one `SERVICE:OPERATION=RATE` (OPERATION may be `*`); throws a message for a usage error. */
export function parseRateOverride(text: string): RateOverride {
  const m = /^([a-z0-9-]+):([A-Za-z0-9]+|\*)=(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new Error(`--throttle-rate must be SERVICE:OPERATION=RATE (e.g. secretsmanager:GetSecretValue=100 or kms:*=50), got '${text}'`);
  const rate = Number(m[3]);
  if (!(rate > 0)) throw new Error(`--throttle-rate ${text}: the rate must be more than 0 requests a second`);
  return { service: m[1]!, operation: m[2]!, rate };
}

/** The quota groups after applying the overrides to the defaults. An override is one rate in every region. */
export function effectiveQuotas(overrides: readonly RateOverride[], defaults: readonly QuotaGroup[] = DEFAULT_QUOTAS): QuotaGroup[] {
  const groups: QuotaGroup[] = defaults.map((g) => ({ ...g, operations: g.operations === '*' ? '*' as const : [...g.operations] }));
  const setRate = (g: QuotaGroup, rate: number) => {
    g.rate = rate;
    delete g.regionRates;
  };
  for (const o of overrides) {
    if (o.operation === '*') {
      let any = false;
      for (const g of groups) if (g.service === o.service) { setRate(g, o.rate); any = true; }
      if (!any) groups.push({ service: o.service, operations: '*', rate: o.rate });
      continue;
    }
    const group = groups.find((g) => g.service === o.service && g.operations !== '*' && g.operations.includes(o.operation))
      ?? groups.find((g) => g.service === o.service && g.operations === '*' && g.shared);
    if (group) setRate(group, o.rate);
    // An operation no group names (and whose catch-all gives each operation a bucket) gets its
    // own group, ahead of the service's catch-all.
    else groups.unshift({ service: o.service, operations: [o.operation], rate: o.rate });
  }
  return groups;
}

/**
 * The error AWS answers a throttled call with, per service and protocol; `retryAfterSeconds` is
 * when the bucket next has a token (Lambda sends it as `Retry-After`).
 */
export function throttlingError(service: string, retryAfterSeconds = 1): AwsError {
  switch (service) {
    case 'kms': {
      // KMS's model has no ThrottlingException shape; its answers carry a lowercase `message`, as
      // KMS's own errors do: {"__type":"ThrottlingException","message":"You have exceeded …"}.
      const err = new AwsError('ThrottlingException', 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
      err.jsonMessageMember = 'message';
      return err;
    }
    case 'iam':
    case 'sts':
      // awsQuery services: <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message>, 400.
      return new AwsError('Throttling', 'Rate exceeded');
    case 'lambda': {
      // The model's TooManyRequestsException: 429, `Retry-After` header, body
      // {"Reason":"CallerRateLimitExceeded","Type":"User","message":"Rate exceeded"}.
      const err = new AwsError('TooManyRequestsException', 'Rate exceeded', 429);
      err.members = { Reason: 'CallerRateLimitExceeded' };
      err.headers = { 'retry-after': String(retryAfterSeconds) };
      return err;
    }
    default: {
      // AWS's request throttling, not the service's own error handling, answers this one, with a
      // lowercase `message`: `{"__type":"ThrottlingException","message":"Rate exceeded"}` (as seen in
      // answers captured from Secrets Manager and ECS; docs/operations.md, "Throttling").
      const err = new AwsError('ThrottlingException', 'Rate exceeded');
      err.jsonMessageMember = 'message';
      return err;
    }
  }
}

/** Buckets kept before idle (full) ones are dropped: accounts × regions × operations in use. */
const SWEEP_AT = 50_000;

/** A quota resolved for one operation: its group and how its buckets are keyed. */
interface ResolvedQuota {
  group: QuotaGroup;
  /** Bucket key suffix: the group's index, plus the operation when it has a bucket of its own. */
  id: string;
}

/** A bucket and the cluster-wide rate it holds a share of (to resize it when the nodes change). */
interface Bucket {
  tokens: TokenBucket;
  quota: number;
}

export class Throttle {
  private readonly groups: QuotaGroup[];
  private readonly buckets = new Map<string, Bucket>();
  /** Nodes sharing each quota (this one included): 1 on SQLite and until a peer is seen. */
  private liveNodes = 1;

  /** The nodes sharing each quota, as the cluster last reported (1 on SQLite); shown on /metrics. */
  get nodesSharing(): number {
    return this.liveNodes;
  }
  private lastSweep = -Infinity;
  /** service:operation → its quota (resolved once per operation; regions are looked up per call). */
  private readonly resolved = new Map<string, ResolvedQuota | null>();

  constructor(private readonly config: ThrottleConfig, private readonly now: () => number = () => performance.now()) {
    this.groups = effectiveQuotas(config.overrides);
  }

  /** Throws the service's throttling error when the caller's account is over the operation's rate. */
  check(call: { service: string; operation: string; region: string; principal: { accountId: string } }): void {
    if (!this.config.enabled) return;
    const quota = this.quotaOf(call.service, call.operation);
    if (!quota) return;
    const { group } = quota;
    const region = group.scope === 'account' ? '*' : call.region;
    const key = `${call.principal.accountId}|${region}|${quota.id}`;
    let bucket = this.buckets.get(key);
    const now = this.now();
    if (!bucket) {
      // At most once a second, so a map full of busy buckets does not cost a scan per request.
      if (this.buckets.size >= SWEEP_AT && now - this.lastSweep > 1000) this.sweep(now);
      // A region's own rate only where AWS publishes one (an own-property lookup: `region` is the caller's text).
      const rate = group.regionRates && Object.hasOwn(group.regionRates, region) ? group.regionRates[region]! : group.rate;
      const share = nodeShare(rate, this.config.burstSeconds, this.liveNodes);
      bucket = { tokens: new TokenBucket(share.rate, share.capacity, now), quota: rate };
      this.buckets.set(key, bucket);
    }
    if (!bucket.tokens.take(now)) throw throttlingError(call.service, Math.max(1, Math.ceil(bucket.tokens.secondsUntilToken(now))));
  }

  /**
   * The cluster's live nodes changed (src/cluster/membership.ts): from now on every bucket, and
   * every new one, holds `liveNodes`' share of its quota. Rare (a node joins or leaves), so
   * resizing every bucket here keeps the per-request path as it was.
   */
  setLiveNodes(liveNodes: number): void {
    if (liveNodes === this.liveNodes) return;
    this.liveNodes = liveNodes;
    const now = this.now();
    for (const bucket of this.buckets.values()) {
      const share = nodeShare(bucket.quota, this.config.burstSeconds, liveNodes);
      bucket.tokens.resize(share.rate, share.capacity, now);
    }
  }

  /** Drops buckets that refilled: a full bucket is what a new one would be (keeps the map bounded). */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (bucket.tokens.isFull(now)) this.buckets.delete(key);
  }

  private quotaOf(service: string, operation: string): ResolvedQuota | null {
    const name = `${service}:${operation}`;
    let quota = this.resolved.get(name);
    if (quota !== undefined) return quota;
    const i = this.groups.findIndex((g) => g.service === service && g.operations !== '*' && g.operations.includes(operation));
    const j = i >= 0 ? i : this.groups.findIndex((g) => g.service === service && g.operations === '*');
    const group = this.groups[j];
    // A catch-all gives each operation its own bucket at the group's rate, unless its operations share one.
    quota = !group ? null : { group, id: i >= 0 || group.shared ? `g${j}` : `g${j}:${operation}` };
    this.resolved.set(name, quota);
    return quota;
  }
}
