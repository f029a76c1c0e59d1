/**
 * What replication changes in the other Secrets Manager operations, applied around them in
 * service.ts so each operation stays about its own work:
 *
 * - a replica is read-only: every operation that changes a secret answers, after
 *   authorization, AWS's InvalidParameterException "Operation not permitted on a replica
 *   secret. Call must be made in primary secret's region." (the text moto and Terraform users
 *   recorded from AWS), except UpdateSecret changing only its KmsKeyId (replica-key.ts);
 * - a primary with replicas cannot be deleted ("You can't delete secret … that still has
 *   replica regions [r1, r2]."), including replicas whose removal a peer has yet to confirm;
 * - DescribeSecret of a primary lists ReplicationStatus.
 */
import { invalidParameter } from '../../../errors.ts';
import type { Operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret } from '../lookup.ts';
import { isReplica, REPLICA_READ_ONLY } from './replica-store.ts';
import { isKeyChangeOnly, recordReplicaKey, type UpdateSecretFields } from './replica-key.ts';
import { replicationStatus } from './status.ts';

export const WRITES_REFUSED_ON_REPLICAS = [
  'PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'DeleteSecret', 'RestoreSecret', 'TagResource', 'UntagResource',
  'PutResourcePolicy', 'DeleteResourcePolicy', 'RotateSecret', 'CancelRotateSecret', 'ReplicateSecretToRegions', 'RemoveRegionsFromReplication',
] as const;

type AnyOperation = Operation<any, any, any>;

function readOnlyOnReplica(deps: SecretsManagerDeps, name: string, op: AnyOperation): AnyOperation {
  return {
    plan: (ctx, input) => op.plan(ctx, input),
    async run(ctx, input: { SecretId?: string } & UpdateSecretFields, state) {
      const secret = input.SecretId === undefined ? undefined : await findSecret(deps, ctx, input.SecretId);
      if (secret && isReplica(secret)) {
        if (name !== 'UpdateSecret' || !isKeyChangeOnly(input)) throw invalidParameter(REPLICA_READ_ONLY);
        const out = await op.run(ctx, input, state);
        await recordReplicaKey(deps, secret);
        return out;
      }
      if (secret && name === 'DeleteSecret') {
        const regions = await deps.repo.db.selectFrom('secret_replicas').select('region').where('secret_id', '=', secret.id).orderBy('region').execute();
        if (regions.length) throw invalidParameter(`You can't delete secret ${secret.arn} that still has replica regions [${regions.map((r) => r.region).join(', ')}].`);
      }
      return op.run(ctx, input, state);
    },
  };
}

function withReplicationStatus(deps: SecretsManagerDeps, op: AnyOperation): AnyOperation {
  return {
    plan: (ctx, input) => op.plan(ctx, input),
    async run(ctx, input, state) {
      const out = await op.run(ctx, input, state) as { ARN?: string; PrimaryRegion?: string };
      if (!out.ARN || out.PrimaryRegion === undefined) return out;
      const secret = await deps.repo.byArn(out.ARN);
      if (!secret || isReplica(secret)) return out;
      const status = await replicationStatus(deps, secret);
      return status.length ? { ...out, ReplicationStatus: status } : out;
    },
  };
}

/** The service's operations with replication's rules around them. */
export function withReplicationRules(deps: SecretsManagerDeps, ops: Record<string, AnyOperation>): Record<string, AnyOperation> {
  const out: Record<string, AnyOperation> = { ...ops };
  for (const name of WRITES_REFUSED_ON_REPLICAS) if (out[name]) out[name] = readOnlyOnReplica(deps, name, out[name]!);
  if (out.DescribeSecret) out.DescribeSecret = withReplicationStatus(deps, out.DescribeSecret);
  return out;
}
