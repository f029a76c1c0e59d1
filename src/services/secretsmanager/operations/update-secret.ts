import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, requireValueAccessFrom, requireToken, secretAuthorization } from '../lookup.ts';
import { valueFromInput } from '../secret-value.ts';
import { keyChangedConcurrently, secretKey, tokenOutcome, writeVersion } from '../versions.ts';

export interface UpdateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  Description?: string;
  KmsKeyId?: string;
  SecretBinary?: string;
  SecretString?: string;
  Type?: string;
}

export const updateSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: UpdateSecretInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'UpdateSecret', input.SecretId, secret, {
        'secretsmanager:Description': input.Description,
        'secretsmanager:KmsKeyId': input.KmsKeyId,
      }),
      state: secret,
    };
  },
  async run(ctx, input: UpdateSecretInput, found) {
    const value = valueFromInput(input);
    const token = value ? requireToken(input.ClientRequestToken) : undefined;
    const secret = requireSecret(found);
    if (value) requireValueAccessFrom(ctx, secret);
    requireNotDeleted(secret);
    const changes: { description?: string | null; kms_key_id?: string | null; type?: string | null } = {};
    if (input.Description !== undefined) changes.description = input.Description || null;
    // "" puts the secret back on the default aws/secretsmanager key.
    if (input.KmsKeyId !== undefined) changes.kms_key_id = input.KmsKeyId || null;
    if (input.Type !== undefined) changes.type = input.Type || null;
    // Resolved before the lock: an unknown key fails the call before anything changes.
    const key = value || changes.kms_key_id !== undefined ? await secretKey(deps, { ...secret, ...changes }) : undefined;
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      if (key && changes.kms_key_id === undefined && current.kms_key_id !== secret.kms_key_id) throw keyChangedConcurrently();
      const now = deps.now();
      const updated = { ...current, ...changes };
      if (Object.keys(changes).length) {
        await trx.updateTable('secrets').set({ ...changes, last_changed_at: now }).where('id', '=', current.id).execute();
      }
      let versionId: string | undefined;
      if (value && token) {
        const outcome = await tokenOutcome(deps, trx, updated, token, value);
        if (outcome.kind !== 'repeat') {
          await writeVersion(deps, trx, updated, { key: key!, versionId: token, value, stages: ['AWSCURRENT'], fillPlaceholder: outcome.kind === 'placeholder', now });
        }
        versionId = token;
      }
      return { ARN: current.arn, Name: current.name, VersionId: versionId };
    });
  },
});
