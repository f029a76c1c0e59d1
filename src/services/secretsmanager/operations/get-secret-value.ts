import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, secretAuthorization } from '../lookup.ts';
import { readSecretValue } from '../read-value.ts';

export interface GetSecretValueInput {
  SecretId: string;
  VersionId?: string;
  VersionStage?: string;
}

export const getSecretValue = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: GetSecretValueInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'GetSecretValue', input.SecretId, secret, {
        'secretsmanager:VersionId': input.VersionId,
        // Present only when sent, so a VersionStage condition denies a call relying on the default.
        'secretsmanager:VersionStage': input.VersionStage,
      }),
      state: secret,
    };
  },
  async run(_ctx, input: GetSecretValueInput, secret) {
    return readSecretValue(deps, requireSecret(secret), input.VersionId, input.VersionStage);
  },
});
