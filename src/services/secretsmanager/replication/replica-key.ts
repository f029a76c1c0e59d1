/**
 * A replica's KMS key is the one thing that changes in the replica's own region: "A replica
 * secret can't be updated independently from its primary secret, except for its encryption
 * key" (Secrets Manager user guide, "Promote a replica secret"). UpdateSecret with KmsKeyId on
 * a replica runs as on any secret (update-secret.ts): the caller's KMS permissions are checked
 * through Secrets Manager in the replica's region, with the replica's ARN as encryption context,
 * and the labelled versions are re-wrapped under the new key where the caller may move them.
 * Later pushes from the primary keep that key (apply.ts), and the primary's ReplicationStatus
 * shows it: at once when the primary is in this deployment, with the next push's answer when it
 * is in a peer's.
 */
import type { SecretRow } from '../../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { replicaArn } from './replica-store.ts';

export interface UpdateSecretFields {
  KmsKeyId?: string;
  Description?: string;
  SecretString?: string;
  SecretBinary?: unknown;
  Type?: string;
}

/**
 * An UpdateSecret a replica accepts: a new KmsKeyId and nothing else it would change
 * (ClientRequestToken, which the SDKs fill in by themselves, changes nothing without a value).
 */
export function isKeyChangeOnly(input: UpdateSecretFields): boolean {
  return input.KmsKeyId !== undefined && input.Description === undefined && input.SecretString === undefined
    && input.SecretBinary === undefined && input.Type === undefined;
}

/** After a replica's key changed: its primary, if in this deployment, records it for ReplicationStatus. */
export async function recordReplicaKey(deps: SecretsManagerDeps, replica: Pick<SecretRow, 'arn' | 'region' | 'primary_region'>): Promise<void> {
  const primaryRegion = replica.primary_region;
  if (!primaryRegion || deps.replication?.routes.route(primaryRegion).kind !== 'local') return;
  const [primary, now] = await Promise.all([deps.repo.byArn(replicaArn(replica.arn, primaryRegion)), deps.repo.byArn(replica.arn)]);
  if (!primary || !now || now.primary_region !== primaryRegion) return;
  await deps.repo.db.updateTable('secret_replicas').set({ kms_key_id: now.kms_key_id })
    .where('secret_id', '=', primary.id).where('region', '=', replica.region).where('removing', '=', 0).execute();
}
