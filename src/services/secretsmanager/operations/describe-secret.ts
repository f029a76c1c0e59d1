import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireSecret, secretAuthorization } from '../lookup.ts';
import { secretView, stagesMap } from '../views.ts';

export const describeSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'DescribeSecret', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    const stages = await deps.repo.stagesOf([secret.id]);
    return { ...secretView(secret), VersionIdsToStages: stagesMap(stages.get(secret.id)) };
  },
});
