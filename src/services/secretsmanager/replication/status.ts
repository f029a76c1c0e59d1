/** ReplicationStatus of a primary, for DescribeSecret and the replication operations. */
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { replicaArn, replicasOf, statusEntry, type ReplicationStatusEntry } from './replica-store.ts';

export async function replicationStatus(deps: SecretsManagerDeps, secret: Pick<SecretRow, 'id' | 'arn'>): Promise<ReplicationStatusEntry[]> {
  const out: ReplicationStatusEntry[] = [];
  for (const row of await replicasOf(deps.repo.db, secret.id)) {
    // A replica in this deployment reports its LastAccessedDate as it is now; a peer's, as of its last sync.
    let accessed: number | null | undefined;
    if (deps.replication?.routes.route(row.region).kind === 'local') {
      const replica = await deps.repo.byArn(replicaArn(secret.arn, row.region));
      accessed = replica ? replica.last_accessed_at : null;
    }
    out.push(statusEntry(row, accessed));
  }
  return out;
}
