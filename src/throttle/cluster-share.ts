/**
 * A node's part of a cluster-wide quota. AWS's quotas are per account and region, however many
 * hosts answer; coffer's nodes behind a load balancer each take an equal share of every rate
 * and burst, so together they admit about the quota without asking each other per request.
 * The number of live nodes comes from the heartbeats in src/cluster/membership.ts.
 */

export interface BucketSize {
  /** Tokens a second this node's bucket refills with. */
  rate: number;
  /** Tokens the bucket holds when full. */
  capacity: number;
}

/**
 * `rate` (the quota, requests a second) and a bucket of `burstSeconds` of it, split over
 * `liveNodes` nodes. A bucket keeps at least one token, so a very low rate split many ways
 * still admits a request now and then (the cluster's burst may then exceed the quota's a little).
 */
export function nodeShare(rate: number, burstSeconds: number, liveNodes: number): BucketSize {
  // A count below one cannot happen (a node counts itself); guard anyway, never divide by zero.
  const nodes = Number.isFinite(liveNodes) && liveNodes >= 1 ? Math.floor(liveNodes) : 1;
  const share = rate / nodes;
  return { rate: share, capacity: Math.max(1, share * burstSeconds) };
}
