import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, requireValueAccessFrom, requireToken, secretAuthorization } from '../lookup.ts';
import { valueFromInput } from '../secret-value.ts';
import { chooseKey, keyForNewVersion } from '../secret-kms.ts';
import { applyRewraps, keyChangedConcurrently, planRewraps, priorVersionKey, tokenOutcome, writeVersion } from '../versions.ts';

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
    const changes: { description?: string | null; kms_key_id?: string | null; type?: string | null } = {};
    if (input.Description !== undefined) changes.description = input.Description || null;
    // "" puts the secret back on the default aws/secretsmanager key.
    if (input.KmsKeyId !== undefined) changes.kms_key_id = input.KmsKeyId || null;
    if (input.Type !== undefined) changes.type = input.Type || null;
    const target = { ...secret, ...changes };
    // The managed key can't be used from another account, whether for a value or as a new key.
    if (value || changes.kms_key_id !== undefined) requireValueAccessFrom(ctx, target);
    requireNotDeleted(secret);

    // KMS before the lock (authorization may read the database), so an unknown, unusable or
    // forbidden key fails the call before anything changes. A key change is validated as AWS
    // does; the labelled versions move to the new key where the caller may move them.
    const chosen = changes.kms_key_id !== undefined ? await chooseKey(deps, ctx, target) : undefined;
    const key = value ? await keyForNewVersion(deps, ctx, target, token!, chosen) : chosen;
    const decryptKey = value ? await priorVersionKey(deps, ctx, secret, token!) : undefined;
    const rewraps = chosen ? await planRewraps(deps, ctx, secret, chosen) : [];

    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      // Sealing under a key resolved before another UpdateSecret changed it would be wrong.
      if (key && changes.kms_key_id === undefined && current.kms_key_id !== secret.kms_key_id) throw keyChangedConcurrently();
      const now = deps.now();
      const updated = { ...current, ...changes };
      if (Object.keys(changes).length) {
        await trx.updateTable('secrets').set({ ...changes, last_changed_at: now }).where('id', '=', current.id).execute();
      }
      let versionId: string | undefined;
      if (value && token) {
        const outcome = await tokenOutcome(deps, trx, updated, token, value, decryptKey);
        if (outcome.kind !== 'repeat') {
          await writeVersion(deps, trx, updated, { key: key!, versionId: token, value, stages: ['AWSCURRENT'], fillPlaceholder: outcome.kind === 'placeholder', now });
        }
        versionId = token;
      }
      // A key change alone makes no version: the existing ones are re-wrapped in place.
      if (chosen) await applyRewraps(deps, trx, updated, chosen, rewraps);
      return { ARN: current.arn, Name: current.name, VersionId: versionId };
    });
  },
});
