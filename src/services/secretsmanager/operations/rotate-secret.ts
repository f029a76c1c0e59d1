import { AwsError, invalidRequest } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, secretAuthorization } from '../lookup.ts';
import { describedNextRotationDate, parseRotationRules, type RotationRules } from '../schedule.ts';

interface RotateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRules;
  RotateImmediately?: boolean;
}

const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]+))?$/;

/**
 * Stores and validates the rotation configuration and computes NextRotationDate. Running
 * the rotation function (the four steps, the AWSPENDING placeholder) is the rotation
 * issue's; until then RotateSecret configures and returns.
 */
export const rotateSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: RotateSecretInput) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return {
      authorization: secretAuthorization(ctx, 'RotateSecret', input.SecretId, secret, {
        'secretsmanager:RotationLambdaARN': input.RotationLambdaARN,
        'secretsmanager:RotateImmediately': input.RotateImmediately,
        'secretsmanager:ModifyRotationRules': input.RotationRules !== undefined,
      }),
      state: secret,
    };
  },
  async run(_ctx, input: RotateSecretInput, found) {
    const secret = requireSecret(found);
    requireNotDeleted(secret);
    if (input.RotationLambdaARN !== undefined && !LAMBDA_ARN.test(input.RotationLambdaARN)) {
      throw new AwsError('InvalidParameterException', `The ARN ${input.RotationLambdaARN} is not a valid Lambda function ARN.`);
    }
    const compiled = input.RotationRules ? parseRotationRules(input.RotationRules) : undefined;
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      const lambdaArn = input.RotationLambdaARN ?? current.rotation_lambda_arn;
      if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
      const rulesText = input.RotationRules ? JSON.stringify(input.RotationRules) : current.rotation_rules;
      const schedule = compiled ?? (rulesText ? parseRotationRules(JSON.parse(rulesText) as RotationRules) : undefined);
      const now = new Date(deps.now());
      const last = current.last_rotated_at === null ? undefined : new Date(current.last_rotated_at);
      await trx.updateTable('secrets').set({
        rotation_enabled: 1,
        rotation_lambda_arn: lambdaArn,
        rotation_rules: rulesText,
        next_rotation_at: schedule ? describedNextRotationDate(schedule, now, last).getTime() : null,
        last_changed_at: now.getTime(),
      }).where('id', '=', current.id).execute();
      return { ARN: current.arn, Name: current.name, VersionId: input.ClientRequestToken };
    });
  },
});

export const cancelRotateSecret = (deps: SecretsManagerDeps) => operation({
  async plan(ctx, input: { SecretId: string }) {
    const secret = await findSecret(deps, ctx, input.SecretId);
    return { authorization: secretAuthorization(ctx, 'CancelRotateSecret', input.SecretId, secret), state: secret };
  },
  async run(_ctx, _input: { SecretId: string }, found) {
    const secret = requireSecret(found);
    requireNotDeleted(secret);
    return deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      // The rotation ARN and rules stay; only RotationEnabled turns off.
      await trx.updateTable('secrets').set({ rotation_enabled: current.rotation_enabled === null ? null : 0, last_changed_at: deps.now() })
        .where('id', '=', current.id).execute();
      const pending = await deps.repo.stageHolder(trx, current.id, 'AWSPENDING');
      const currentVersion = await deps.repo.stageHolder(trx, current.id, 'AWSCURRENT');
      return { ARN: current.arn, Name: current.name, VersionId: pending && pending !== currentVersion ? pending : undefined };
    });
  },
});
