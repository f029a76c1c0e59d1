import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, secretAuthorization } from '../lookup.ts';
import { checkResourcePolicy } from '../resource-policy.ts';

interface PutResourcePolicyInput {
  SecretId: string;
  ResourcePolicy: string;
  BlockPublicPolicy?: boolean;
}

export const putResourcePolicy = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: PutResourcePolicyInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'PutResourcePolicy', input.SecretId, secret, {
        'secretsmanager:BlockPublicPolicy': input.BlockPublicPolicy,
      }),
      state: secret,
    };
  },
  async run(_ctx, input: PutResourcePolicyInput, found) {
    const secret = requireSecret(found);
    checkResourcePolicy(input.ResourcePolicy, { blockPublic: input.BlockPublicPolicy === true });
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      await trx.updateTable('secrets').set({ resource_policy: input.ResourcePolicy, last_changed_at: deps.now() }).where('id', '=', current.id).execute();
    });
    return { ARN: secret.arn, Name: secret.name };
  },
});

export const getResourcePolicy = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'GetResourcePolicy', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    return { ARN: secret.arn, Name: secret.name, ResourcePolicy: secret.resource_policy ?? undefined };
  },
});

export const deleteResourcePolicy = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'DeleteResourcePolicy', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      await trx.updateTable('secrets').set({ resource_policy: null, last_changed_at: deps.now() }).where('id', '=', current.id).execute();
    });
    return { ARN: secret.arn, Name: secret.name };
  },
});
