import { randomUUID } from 'node:crypto';
import { AwsError, invalidRequest } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { AuthorizationRequest, RequestContext } from '../../../auth/request-context.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { buildSecretArn, validateSecretName } from '../names.ts';
import { requireToken } from '../lookup.ts';
import { valueFromInput } from '../secret-value.ts';
import { mergeTags, requestTagConditions, validateNewTags } from '../tags.ts';
import { priorVersionKey, tokenOutcome, writeVersion } from '../versions.ts';
import { chooseKey, encryptionContext, keyForNewVersion, requireKeyUse } from '../secret-kms.ts';
import type { SecretRow } from '../../../storage/secret-repository.ts';
import { addReplicas, requireKnownRegions, validateReplicaRegions } from '../replication/replica-store.ts';
import { replicationStatus } from '../replication/status.ts';
import { requireReplicaKeys } from '../replication/kms-access.ts';
import { replicaConditions } from './replicate-secret-to-regions.ts';

export interface CreateSecretInput {
  Name: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: string;
  SecretString?: string;
  Tags?: { Key?: string; Value?: string }[];
  AddReplicaRegions?: { Region?: string; KmsKeyId?: string }[];
  ForceOverwriteReplicaSecret?: boolean;
  Type?: string;
}

export const createSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: CreateSecretInput) {
    validateSecretName(input.Name);
    const resource = `arn:aws:secretsmanager:${ctx.region}:${ctx.principal.accountId}:secret:${input.Name}-??????`;
    const conditions = {
      'secretsmanager:Name': input.Name,
      'secretsmanager:Description': input.Description,
      'secretsmanager:KmsKeyId': input.KmsKeyId,
      ...requestTagConditions(input.Tags),
      ...replicaConditions(input),
    };
    const authorization: AuthorizationRequest[] = [{ action: 'secretsmanager:CreateSecret', resource, conditions }];
    if (input.Tags?.length) authorization.push({ action: 'secretsmanager:TagResource', resource, conditions });
    // As AWS documents it: creating a secret with replicas also needs ReplicateSecretToRegions.
    if (input.AddReplicaRegions?.length) authorization.push({ action: 'secretsmanager:ReplicateSecretToRegions', resource, conditions });
    return { authorization, state: undefined };
  },

  async run(ctx, input: CreateSecretInput) {
    const value = valueFromInput(input);
    const token = value ? requireToken(input.ClientRequestToken) : input.ClientRequestToken;
    const replicas = input.AddReplicaRegions?.length ? validateReplicaRegions(ctx.region, input.AddReplicaRegions) : [];
    if (replicas.length) requireKnownRegions(deps.replication?.routes, replicas);
    const tags = input.Tags ? mergeTags([], validateNewTags(input.Tags)) : undefined;
    const now = deps.now();
    const accountId = ctx.principal.accountId;
    const existing = await deps.repo.byName(accountId, ctx.region, input.Name);
    if (existing) return repeatOrConflict(deps, ctx, existing, input, token);

    const row: SecretRow = {
      id: randomUUID(), account_id: accountId, region: ctx.region, name: input.Name,
      arn: buildSecretArn({ region: ctx.region, accountId, name: input.Name }),
      description: input.Description || null, kms_key_id: input.KmsKeyId || null,
      created_at: now, last_changed_at: now, last_accessed_at: null, last_rotated_at: null,
      deletion_date: null, deleted_at: null, rotation_enabled: null, rotation_lambda_arn: null,
      rotation_rules: null, next_rotation_at: null, tags: tags ? JSON.stringify(tags) : null,
      resource_policy: null, owning_service: null, primary_region: null, type: input.Type ?? null,
    };
    // KMS first, so an unknown, unusable or forbidden key fails the call before anything is
    // written: a chosen key is validated (GenerateDataKey and Decrypt, as AWS), and a value
    // needs GenerateDataKey for its version.
    const chosen = input.KmsKeyId ? await chooseKey(deps, ctx, row) : undefined;
    const key = value ? await keyForNewVersion(deps, ctx, row, token!, chosen) : undefined;
    // Replicating reads the new version (kms:Decrypt on a customer managed key) and seals it under each replica region's key.
    if (replicas.length && key && key.keyManager !== 'AWS') await requireKeyUse(ctx, key, 'kms:Decrypt', encryptionContext(row.arn, token!));
    if (replicas.length) await requireReplicaKeys(deps, ctx, row.arn, replicas);
    try {
      await deps.repo.transaction(async (trx) => {
        await trx.insertInto('secrets').values(row).execute();
        if (value) await writeVersion(deps, trx, row, { key: key!, versionId: token!, value, stages: ['AWSCURRENT'], now });
        // In the creating transaction: the replicas are queued with the secret, or not at all.
        if (replicas.length) await addReplicas(trx, row, replicas, input.ForceOverwriteReplicaSecret === true, now);
      });
    } catch (err) {
      // A concurrent CreateSecret of the same name won the unique constraint.
      const winner = await deps.repo.byName(accountId, ctx.region, input.Name);
      if (winner && winner.id !== row.id && !(err instanceof AwsError)) return repeatOrConflict(deps, ctx, winner, input, token);
      throw err;
    }
    if (!replicas.length) return { ARN: row.arn, Name: row.name, VersionId: value ? token : undefined };
    const status = await replicationStatus(deps, row);
    deps.replication?.kick();
    return { ARN: row.arn, Name: row.name, VersionId: value ? token : undefined, ReplicationStatus: status };
  },
});

/** CreateSecret on a name that exists: a retry with the same token and value is a no-op. */
async function repeatOrConflict(deps: SecretsManagerDeps, ctx: RequestContext, existing: SecretRow, input: CreateSecretInput, token: string | undefined) {
  if (existing.deletion_date !== null) {
    throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
  }
  const value = valueFromInput(input);
  if (token && value) {
    const decryptKey = await priorVersionKey(deps, ctx, existing, token);
    const outcome = await deps.repo.withSecretLock(existing.id, (trx, row) => tokenOutcome(deps, trx, row ?? existing, token, value, decryptKey));
    if (outcome.kind === 'repeat') {
      // A retry answers as the first call did, with the replicas as they now stand.
      const status = existing.primary_region === existing.region ? await replicationStatus(deps, existing) : [];
      return { ARN: existing.arn, Name: existing.name, VersionId: token, ...(status.length ? { ReplicationStatus: status } : {}) };
    }
  }
  throw new AwsError('ResourceExistsException', `The operation failed because the secret ${existing.name} already exists.`);
}
