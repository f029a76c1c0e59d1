import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, requireValueAccessFrom, secretAuthorization } from '../lookup.ts';
import { findVersion, readSecretValue, versionStageKey } from '../read-value.ts';

export interface GetSecretValueInput {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}

export const getSecretValue = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: GetSecretValueInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    // The version is resolved here so that VersionStage carries its labels; run reads it.
    const version = secret && await findVersion(deps, secret, input.VersionId, input.VersionStage);
    return {
      authorization: secretAuthorization(ctx, 'GetSecretValue', input.SecretId, secret, {
        'secretsmanager:VersionId': input.VersionId,
        'secretsmanager:VersionStage': versionStageKey(version, input.VersionStage),
      }),
      state: { secret, version },
    };
  },
  async run(ctx, input: GetSecretValueInput, { secret, version }) {
    const row = requireSecret(secret);
    requireValueAccessFrom(ctx, row);
    return readSecretValue(deps, ctx, row, input.VersionId, input.VersionStage, { version });
  },
});
