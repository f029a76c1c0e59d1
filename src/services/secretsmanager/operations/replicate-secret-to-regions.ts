/**
 * ReplicateSecretToRegions, RemoveRegionsFromReplication (in the primary's region) and
 * StopReplicationToReplica (in the replica's region). The work of copying is the replication
 * worker's (replication/worker.ts): these record what is wanted, in the database, and answer
 * with the ReplicationStatus as it stands (new regions InProgress), as AWS does.
 */
import { invalidRequest } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { ConditionValue } from '../../../auth/request-context.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, secretAuthorization } from '../lookup.ts';
import {
  addReplicas, isReplica, replicaArn, replicasOf, requireKnownRegions, validateReplicaRegions, type ReplicaRequest,
} from '../replication/replica-store.ts';
import { deleteReplica, detachReplica } from '../replication/apply.ts';
import { requirePrimaryDecrypt, requireReplicaKeys } from '../replication/kms-access.ts';
import { replicationStatus } from '../replication/status.ts';

/** The request condition keys of a call that adds replica regions (CreateSecret too). */
export function replicaConditions(input: { AddReplicaRegions?: ReplicaRequest[]; ForceOverwriteReplicaSecret?: boolean }): Record<string, ConditionValue> {
  const out: Record<string, ConditionValue> = {};
  if (input.AddReplicaRegions?.length) out['secretsmanager:AddReplicaRegions'] = input.AddReplicaRegions.map((r) => r.Region ?? '');
  if (input.ForceOverwriteReplicaSecret !== undefined) out['secretsmanager:ForceOverwriteReplicaSecret'] = input.ForceOverwriteReplicaSecret;
  return out;
}

interface ReplicateInput {
  SecretId: string;
  AddReplicaRegions: ReplicaRequest[];
  ForceOverwriteReplicaSecret?: boolean;
}

export const replicateSecretToRegions = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: ReplicateInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'ReplicateSecretToRegions', input.SecretId, secret, replicaConditions(input)), state: secret };
  },
  async run(ctx, input: ReplicateInput, found) {
    const secret = requireSecret(found);
    const regions = validateReplicaRegions(secret.region, input.AddReplicaRegions);
    requireKnownRegions(deps.replication?.routes, regions);
    // The caller's KMS permissions, before anything is recorded and outside the lock (they may read the database).
    await requirePrimaryDecrypt(deps, ctx, secret);
    await requireReplicaKeys(deps, ctx, secret.arn, regions);
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      await addReplicas(trx, current, regions, input.ForceOverwriteReplicaSecret === true, deps.now());
    });
    // The status as recorded (new regions InProgress) before the worker is nudged to start.
    const status = await replicationStatus(deps, secret);
    deps.replication?.kick();
    return { ARN: secret.arn, ReplicationStatus: status };
  },
});

interface RemoveInput {
  SecretId: string;
  RemoveReplicaRegions: string[];
}

export const removeRegionsFromReplication = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: RemoveInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'RemoveRegionsFromReplication', input.SecretId, secret), state: secret };
  },
  async run(_ctx, input: RemoveInput, found) {
    const secret = requireSecret(found);
    const known = new Set((await replicasOf(deps.repo.db, secret.id)).map((r) => r.region));
    const remove = [...new Set(input.RemoveReplicaRegions)].filter((r) => known.has(r));
    // A replica in a region this deployment serves goes at once, as in AWS; one in a peer's
    // region is hidden from ReplicationStatus now and deleted there by the worker.
    const local = remove.filter((r) => deps.replication?.routes.route(r).kind === 'local');
    for (const region of local) await deleteReplica(deps, replicaArn(secret.arn, region), secret.region);
    await deps.repo.withSecretLock(secret.id, async (trx) => {
      if (local.length) await trx.deleteFrom('secret_replicas').where('secret_id', '=', secret.id).where('region', 'in', local).execute();
      const remote = remove.filter((r) => !local.includes(r));
      if (remote.length) {
        await trx.updateTable('secret_replicas').set({ removing: 1, attempts: 0, next_attempt_at: deps.now() })
          .where('secret_id', '=', secret.id).where('region', 'in', remote).execute();
      }
      // With no replica left (or only ones on their way out) the secret is no longer a primary.
      if (!(await replicasOf(trx, secret.id)).length) await trx.updateTable('secrets').set({ primary_region: null }).where('id', '=', secret.id).execute();
    });
    if (remove.length > local.length) deps.replication?.kick();
    return { ARN: secret.arn, ReplicationStatus: await replicationStatus(deps, secret) };
  },
});

export const stopReplicationToReplica = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'StopReplicationToReplica', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    // AWS's wording for a secret that is not a replica is unverified.
    if (!isReplica(secret)) throw invalidRequest('StopReplicationToReplica can be called only on a replica secret, in its region.');
    const primaryRegion = secret.primary_region!;
    const route = deps.replication?.routes.route(primaryRegion).kind ?? 'unknown';
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      if (!isReplica(current)) return;
      await trx.updateTable('secrets').set({ primary_region: null, last_changed_at: deps.now() }).where('id', '=', current.id).execute();
      // Durable with the promotion: the primary's deployment is told until it has heard.
      if (route === 'peer') {
        await trx.insertInto('replica_detaches').values({ replica_arn: current.arn, primary_region: primaryRegion, attempts: 0, next_attempt_at: deps.now(), last_error: null })
          .onConflict((oc) => oc.column('replica_arn').doNothing()).execute();
      }
    });
    // A primary region unknown here is not told; its pushes are refused as "promoted" from now on.
    if (route === 'local') await detachReplica(deps, secret.arn, primaryRegion);
    else if (route === 'peer') deps.replication?.kick();
    return { ARN: secret.arn };
  },
});
