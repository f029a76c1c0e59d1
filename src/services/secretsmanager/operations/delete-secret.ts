import { invalidParameter, invalidRequest } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { buildSecretArn } from '../names.ts';
import { findSecret, MARKED_FOR_DELETION, requireSecret, secretAuthorization } from '../lookup.ts';

interface DeleteSecretInput {
  SecretId: string;
  RecoveryWindowInDays?: number;
  ForceDeleteWithoutRecovery?: boolean;
}

const DAY = 86_400_000;

export const deleteSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: DeleteSecretInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'DeleteSecret', input.SecretId, secret, {
        'secretsmanager:RecoveryWindowInDays': input.RecoveryWindowInDays,
        'secretsmanager:ForceDeleteWithoutRecovery': input.ForceDeleteWithoutRecovery,
      }),
      state: secret,
    };
  },
  async run(ctx, input: DeleteSecretInput, found) {
    const force = input.ForceDeleteWithoutRecovery === true;
    if (force && input.RecoveryWindowInDays !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const window = input.RecoveryWindowInDays ?? 30;
    if (!force && (window < 7 || window > 30)) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const now = deps.now();
    if (!found) {
      // AWS answers a forced delete of a secret it doesn't have as if it had deleted it.
      if (!force) requireSecret(found);
      const name = input.SecretId.startsWith('arn:') ? input.SecretId.split(':secret:')[1] ?? input.SecretId : input.SecretId;
      const arn = input.SecretId.startsWith('arn:') ? input.SecretId : buildSecretArn({ region: ctx.region, accountId: ctx.principal.accountId, name });
      return { ARN: arn, Name: input.SecretId, DeletionDate: new Date(now) };
    }
    return deps.repo.withSecretLock(found.id, async (trx, locked) => {
      const secret = requireSecret(locked);
      if (force) {
        await deps.repo.purge(secret.id, trx);
        return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
      }
      if (secret.deletion_date !== null) throw invalidRequest(MARKED_FOR_DELETION);
      const deletionDate = now + window * DAY;
      await trx.updateTable('secrets').set({ deletion_date: deletionDate, deleted_at: now, last_changed_at: now }).where('id', '=', secret.id).execute();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(deletionDate) };
    });
  },
});

export const restoreSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'RestoreSecret', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      if (current.deletion_date !== null) {
        await trx.updateTable('secrets').set({ deletion_date: null, deleted_at: null, last_changed_at: deps.now() }).where('id', '=', current.id).execute();
      }
      return { ARN: current.arn, Name: current.name };
    });
  },
});
