import { AwsError, invalidParameter } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, secretAuthorization } from '../lookup.ts';
import { applyStages } from '../versions.ts';

interface UpdateSecretVersionStageInput {
  SecretId: string;
  VersionStage: string;
  RemoveFromVersionId?: string;
  MoveToVersionId?: string;
}

export const updateSecretVersionStage = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: UpdateSecretVersionStageInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'UpdateSecretVersionStage', input.SecretId, secret, {
        'secretsmanager:VersionStage': input.VersionStage,
      }),
      state: secret,
    };
  },
  async run(_ctx, input: UpdateSecretVersionStageInput, found) {
    const secret = requireSecret(found);
    const label = input.VersionStage;
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      const holder = await deps.repo.stageHolder(trx, current.id, label);
      if (input.MoveToVersionId !== undefined) {
        const target = await deps.repo.version(current.id, { versionId: input.MoveToVersionId }, trx);
        if (!target) throw invalidParameter(`The specified version ID ${input.MoveToVersionId} doesn't exist for this secret.`);
        if (holder !== undefined && holder !== input.MoveToVersionId && input.RemoveFromVersionId !== holder) {
          throw invalidParameter(input.RemoveFromVersionId === undefined
            ? `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ${holder}, so you must explicitly reference that version in RemoveFromVersionId.`
            : `The parameter RemoveFromVersionId doesn't match the version that staging label ${label} is attached to: ${holder}.`);
        }
        if (holder !== input.MoveToVersionId) await applyStages(deps, trx, current.id, input.MoveToVersionId, [label]);
      } else if (input.RemoveFromVersionId !== undefined) {
        if (holder !== input.RemoveFromVersionId) {
          throw invalidParameter(`The staging label ${label} isn't attached to version ${input.RemoveFromVersionId}.`);
        }
        await deps.repo.removeStage(trx, current.id, label);
      } else {
        throw new AwsError('InvalidParameterException', 'You must specify MoveToVersionId, RemoveFromVersionId, or both.');
      }
      await trx.updateTable('secrets').set({ last_changed_at: deps.now() }).where('id', '=', current.id).execute();
      return { ARN: current.arn, Name: current.name };
    });
  },
});
