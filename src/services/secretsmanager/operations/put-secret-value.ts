import { AwsError } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, requireValueAccessFrom, requireToken, secretAuthorization } from '../lookup.ts';
import { valueFromInput } from '../secret-value.ts';
import { keyChangedConcurrently, priorVersionKey, tokenOutcome, writeVersion } from '../versions.ts';
import { keyForNewVersion } from '../secret-kms.ts';

export interface PutSecretValueInput {
  SecretId: string;
  ClientRequestToken?: string;
  SecretBinary?: string;
  SecretString?: string;
  VersionStages?: string[];
  RotationToken?: string;
}

export const putSecretValue = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: PutSecretValueInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'PutSecretValue', input.SecretId, secret), state: secret };
  },
  async run(ctx, input: PutSecretValueInput, found) {
    const token = requireToken(input.ClientRequestToken);
    const value = valueFromInput(input);
    const secret = requireSecret(found);
    requireValueAccessFrom(ctx, secret);
    if (!value) throw new AwsError('InvalidRequestException', 'You must provide either SecretString or SecretBinary.');
    const stages = input.VersionStages ?? ['AWSCURRENT'];
    requireNotDeleted(secret);
    // KMS is asked before the lock: authorization may read the database.
    const key = await keyForNewVersion(deps, ctx, secret, token);
    const decryptKey = await priorVersionKey(deps, ctx, secret, token);
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      // The secret may have been purged, deleted or re-keyed between plan and lock.
      const current = requireSecret(locked);
      requireNotDeleted(current);
      if (current.kms_key_id !== secret.kms_key_id) throw keyChangedConcurrently();
      const outcome = await tokenOutcome(deps, trx, current, token, value, decryptKey);
      if (outcome.kind === 'repeat') return { ARN: current.arn, Name: current.name, VersionId: token, VersionStages: outcome.stages };
      const now = deps.now();
      await writeVersion(deps, trx, current, { key, versionId: token, value, stages, fillPlaceholder: outcome.kind === 'placeholder', now });
      const written = await deps.repo.version(current.id, { versionId: token }, trx);
      return { ARN: current.arn, Name: current.name, VersionId: token, VersionStages: written?.stages ?? [] };
    });
  },
});
