import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, secretAuthorization } from '../lookup.ts';
import { page } from '../paging.ts';

interface ListSecretVersionIdsInput {
  SecretId: string;
  MaxResults?: number;
  NextToken?: string;
  IncludeDeprecated?: boolean;
}

export const listSecretVersionIds = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: ListSecretVersionIdsInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'ListSecretVersionIds', input.SecretId, secret), state: secret };
  },
  async run(_ctx, input: ListSecretVersionIdsInput, found) {
    const secret = requireSecret(found);
    const versions = (await deps.repo.versions(secret.id)).filter((v) => input.IncludeDeprecated || v.stages.length > 0);
    const { items, next } = page(versions, 'ListSecretVersionIds', input.NextToken, input.MaxResults ?? 100);
    return {
      Versions: items.map((v) => ({
        VersionId: v.version_id,
        // Deprecated versions are listed without the key at all.
        VersionStages: v.stages.length ? v.stages : undefined,
        LastAccessedDate: v.last_accessed_at === null ? undefined : new Date(v.last_accessed_at),
        CreatedDate: new Date(v.created_at),
        KmsKeyIds: [v.kms_key_id ?? 'DefaultEncryptionKey'],
      })),
      NextToken: next,
      ARN: secret.arn,
      Name: secret.name,
    };
  },
});
