/**
 * The caller's KMS permissions that replication needs, as the ReplicateSecretToRegions API
 * reference lists them ("Required permissions"):
 *
 * - a primary encrypted with a key other than aws/secretsmanager: kms:Decrypt on that key
 *   (each stored version's key, with that version's encryption context, through
 *   `secretsmanager.<primary region>.amazonaws.com`), because replication reads every version;
 * - a replica region whose KmsKeyId is a key other than aws/secretsmanager: kms:GenerateDataKey
 *   and kms:Encrypt on that key, through `secretsmanager.<replica region>.amazonaws.com`, with
 *   the replica's ARN and `RequestToValidateKeyAccess` as encryption context (the same
 *   validation context CreateSecret and UpdateSecret use for a newly chosen key).
 *
 * Checked when replication is asked for (ReplicateSecretToRegions, CreateSecret with
 * AddReplicaRegions), before anything is recorded: a refusal is AccessDeniedException "Access
 * to KMS is not allowed", as for any other use of a customer managed key by Secrets Manager.
 * The pushes that follow (new versions, labels, retries) are the service's own work under the
 * configuration the caller was allowed to set; they do not go back to the caller, as AWS's
 * replication keeps following the primary after the caller's session has ended. A replica's
 * key is changed with UpdateSecret in its region (replica-key.ts), checked there as for any
 * secret.
 *
 * AWS managed keys (aws/secretsmanager) need no permission for replication (the API reference
 * names only other keys). A KmsKeyId that names no key here is not refused at the call: the
 * replica goes Failed with the reason, as in AWS (the call succeeds, the replica does not).
 * A region served by a peer deployment holds its keys and their policies there; the caller's
 * identity is this deployment's, so that peer checks the replication principal instead, on
 * every push (peerKeyCheck below).
 */
import type { RequestContext } from '../../../auth/request-context.ts';
import { AwsError } from '../../../errors.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import { blobKeyId } from '../../kms/data-keys.ts';
import { keyUseRequest, type KmsAction } from '../../kms/key-access.ts';
import type { KmsKey } from '../../kms/key-store.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { encryptionContext, KMS_ACCESS_DENIED, requireKeyUse, VALIDATION_VERSION_ID, viaService } from '../secret-kms.ts';
import { ReplicationRefused } from './apply.ts';
import { replicaArn } from './replica-store.ts';

/** What replication needs of a replica region's key: sealing new data keys under it. */
export const REPLICA_KEY_ACTIONS: KmsAction[] = ['kms:GenerateDataKey', 'kms:Encrypt'];

const isCustomerKey = (key: KmsKey) => key.keyManager !== 'AWS';

/** kms:Decrypt on every customer managed key the primary's stored versions are sealed under. */
export async function requirePrimaryDecrypt(deps: SecretsManagerDeps, ctx: RequestContext, secret: Pick<SecretRow, 'id' | 'arn'>): Promise<void> {
  for (const v of await deps.repo.versions(secret.id)) {
    if (v.encrypted_data_key === null) continue;
    const keyId = blobKeyId(Buffer.from(v.encrypted_data_key));
    const key = keyId === undefined ? undefined : await deps.keys.getKey(keyId);
    // A missing key fails the push itself with DecryptionFailure, reported in the status.
    if (key && isCustomerKey(key)) await requireKeyUse(ctx, key, 'kms:Decrypt', encryptionContext(secret.arn, v.version_id));
  }
}

/** Whether `principal` (in `ctx`) may seal under `key` for the replica `arn` in `region`. */
export async function mayUseReplicaKey(ctx: RequestContext, key: KmsKey, region: string, arn: string): Promise<boolean> {
  if (!isCustomerKey(key)) return true;
  for (const action of REPLICA_KEY_ACTIONS) {
    const request = keyUseRequest(key, action, {
      callerAccount: ctx.principal.accountId,
      viaService: viaService(region),
      encryptionContext: encryptionContext(arn, VALIDATION_VERSION_ID),
    });
    if (!(await ctx.decide(request)).allowed) return false;
  }
  return true;
}

/**
 * kms:GenerateDataKey and kms:Encrypt on each customer managed KmsKeyId asked for a region
 * this deployment serves. Keys of peer regions are checked by the peer (peerKeyCheck).
 */
export async function requireReplicaKeys(
  deps: SecretsManagerDeps, ctx: RequestContext, primaryArn: string, regions: { region: string; kmsKeyId: string | null }[],
): Promise<void> {
  for (const { region, kmsKeyId } of regions) {
    if (!kmsKeyId || deps.replication?.routes.route(region).kind !== 'local') continue;
    const key = await deps.keys.resolve(ctx.principal.accountId, region, kmsKeyId);
    if (key && !(await mayUseReplicaKey(ctx, key, region, replicaArn(primaryArn, region)))) {
      throw new AwsError('AccessDeniedException', KMS_ACCESS_DENIED);
    }
  }
}

/**
 * The peer deployment's check, on every PutReplica: the trusted replication principal that
 * signed the push must be allowed to seal under the replica's customer managed key; otherwise
 * the replica is Failed with KMS's refusal as the reason, and retried (granting it is enough).
 */
export function peerKeyCheck(ctx: RequestContext, region: string, arn: string): (key: KmsKey) => Promise<void> {
  return async (key) => {
    if (!(await mayUseReplicaKey(ctx, key, region, arn))) {
      throw new ReplicationRefused(`Replication failed: ${KMS_ACCESS_DENIED} (the replication principal ${ctx.principal.arn} may not use ${key.arn}).`);
    }
  };
}
