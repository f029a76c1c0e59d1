/**
 * Where a region is: served by this deployment (its own `--region`s: replicas are written to the
 * same database), by a peer deployment (`--peer-region`: replicas are written over signed HTTP),
 * or unknown (replication to it fails and says why).
 */
import type { PeerRegion } from './options.ts';

export type RegionRoute = { kind: 'local' } | { kind: 'peer'; peer: PeerRegion } | { kind: 'unknown' };

export class ReplicationRoutes {
  constructor(private readonly served: string[] | 'any', private readonly peers: Map<string, PeerRegion>) {}

  route(region: string): RegionRoute {
    // A declared peer wins over `--region any`, which would otherwise claim every region.
    const peer = this.peers.get(region);
    if (peer) return { kind: 'peer', peer };
    if (this.served === 'any' || this.served.includes(region)) return { kind: 'local' };
    return { kind: 'unknown' };
  }
}

export function noRouteMessage(region: string): string {
  return `Replication failed: region ${region} is neither served by this deployment (--region) nor declared as a peer (--peer-region).`;
}
