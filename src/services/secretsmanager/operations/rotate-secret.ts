import { randomUUID } from 'node:crypto';
import { accessDenied, AwsError, invalidRequest } from '../../../errors.ts';
import { operation } from '../../../protocol/operation.ts';
import type { SecretsManagerDeps } from '../deps.ts';
import { findSecret, requireNotDeleted, requireSecret, secretAuthorization } from '../lookup.ts';
import { describedNextRotationDate, parseRotationRules, type RotationRules } from '../schedule.ts';
import { CANNOT_INVOKE, ROTATION_IN_PROGRESS, type StartedAttempt } from '../rotation/driver.ts';
import { keyForNewVersion, keyToDecrypt } from '../secret-kms.ts';
import { openValue } from '../secret-value.ts';
import { writeVersion } from '../versions.ts';
import type { KmsKey } from '../../kms/key-store.ts';

interface RotateSecretInput {
  SecretId: string;
  ClientRequestToken?: string;
  RotationLambdaARN?: string;
  RotationRules?: RotationRules;
  RotateImmediately?: boolean;
}

const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]+))?$/;

/** RotateImmediately=false copies AWSCURRENT into a temporary AWSPENDING version for testSecret. */
interface TestCopy {
  currentVersionId: string;
  decryptKey: KmsKey;
  encryptKey: KmsKey;
}

/**
 * Stores the rotation configuration and starts the rotation (docs/rotation.md):
 * - RotateImmediately (default): an empty AWSPENDING version named by the ClientRequestToken,
 *   then the four steps run in the background; the answer carries that VersionId.
 * - RotateImmediately=false: only testSecret runs, against a temporary AWSPENDING copy of the
 *   current value that is removed before the call returns; the next rotation waits for its
 *   window. A failed test is recorded (coffer rotation status); the configuration stays.
 * Nothing is stored when the function can't be invoked by Secrets Manager or a previous
 * rotation is unfinished.
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
  async run(ctx, input: RotateSecretInput, found) {
    const secret = requireSecret(found);
    requireNotDeleted(secret);
    if (input.RotationLambdaARN !== undefined && !LAMBDA_ARN.test(input.RotationLambdaARN)) {
      throw new AwsError('InvalidParameterException', `The ARN ${input.RotationLambdaARN} is not a valid Lambda function ARN.`);
    }
    const compiled = input.RotationRules ? parseRotationRules(input.RotationRules) : undefined;
    const immediately = input.RotateImmediately ?? true;
    const token = input.ClientRequestToken ?? randomUUID();
    const driver = deps.rotation;
    const plannedArn = input.RotationLambdaARN ?? secret.rotation_lambda_arn;
    if (!plannedArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
    // Asked before the lock: the invoke check reads Lambda's tables, KMS checks read policies.
    if (!driver) throw accessDenied(CANNOT_INVOKE);
    await driver.requireInvokable(secret, plannedArn);
    const copy = immediately ? undefined : await planTestCopy(deps, ctx, secret, token);

    let started: StartedAttempt | undefined;
    const answer = await deps.repo.withSecretLock(secret.id, async (trx, locked) => {
      const current = requireSecret(locked);
      requireNotDeleted(current);
      const lambdaArn = input.RotationLambdaARN ?? current.rotation_lambda_arn;
      if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
      // Configured concurrently with another function than the one checked: check that one first.
      if (lambdaArn !== plannedArn) throw new AwsError('InvalidRequestException', 'The secret was modified by another request at the same time. Retry the request.');
      const unfinished = await driver.unfinishedToken(trx, current.id);
      if (unfinished !== undefined) {
        // The same request again (an SDK retry) is answered as the first time.
        if (immediately && unfinished === token) return { ARN: current.arn, Name: current.name, VersionId: token };
        throw invalidRequest(ROTATION_IN_PROGRESS);
      }
      if (await deps.repo.version(current.id, { versionId: token }, trx)) {
        throw invalidRequest(`You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${current.arn}.`);
      }
      const rulesText = input.RotationRules ? JSON.stringify(input.RotationRules) : current.rotation_rules;
      const schedule = compiled ?? (rulesText ? parseRotationRules(JSON.parse(rulesText) as RotationRules) : undefined);
      const nowMs = deps.now();
      const now = new Date(nowMs);
      const last = current.last_rotated_at === null ? undefined : new Date(current.last_rotated_at);
      await trx.updateTable('secrets').set({
        rotation_enabled: 1,
        rotation_lambda_arn: lambdaArn,
        rotation_rules: rulesText,
        next_rotation_at: schedule ? describedNextRotationDate(schedule, now, last).getTime() : null,
        rotation_due_at: schedule ? driver.dueFor(schedule, now, last) : null,
        last_changed_at: nowMs,
      }).where('id', '=', current.id).execute();
      const configured = { ...current, rotation_enabled: 1, rotation_lambda_arn: lambdaArn, rotation_rules: rulesText };
      if (immediately) {
        started = await driver.beginRotation(trx, configured, token, 'RotateSecret');
        return { ARN: current.arn, Name: current.name, VersionId: token };
      }
      if (copy) {
        const holder = await deps.repo.version(current.id, { stage: 'AWSCURRENT' }, trx);
        // AWSCURRENT moved since the keys were checked: the caller retries, as on AWS's conflicts.
        if (!holder || holder.version_id !== copy.currentVersionId || !holder.encrypted_data_key || !holder.ciphertext) {
          throw new AwsError('InvalidRequestException', 'The secret was modified by another request at the same time. Retry the request.');
        }
        const value = await openValue(deps, copy.decryptKey, current.arn, holder.version_id, {
          encryptedDataKey: Buffer.from(holder.encrypted_data_key), ciphertext: Buffer.from(holder.ciphertext), kind: holder.value_kind as 'string' | 'binary',
        }, trx);
        await writeVersion(deps, trx, configured, { key: copy.encryptKey, versionId: token, value, stages: ['AWSPENDING'], now: nowMs });
        started = await driver.beginTest(trx, configured, token);
      }
      return { ARN: current.arn, Name: current.name };
    });
    // The rotation runs in the background (RotateSecret "starts the asynchronous process");
    // the configuration test is awaited, so its temporary AWSPENDING version is gone when
    // the call returns and never reads as an unfinished rotation to the next call.
    if (started?.kind === 'test') await driver.launch(started);
    else if (started) void driver.launch(started);
    return answer;
  },
});

/** The keys for the test copy, checked as the caller's (kms:Decrypt and kms:GenerateDataKey). */
async function planTestCopy(deps: SecretsManagerDeps, ctx: Parameters<typeof keyToDecrypt>[1], secret: Parameters<typeof keyForNewVersion>[2] & { id: string }, token: string): Promise<TestCopy | undefined> {
  const current = await deps.repo.version(secret.id, { stage: 'AWSCURRENT' });
  // No value to test with: the configuration is stored and nothing runs.
  if (!current || current.encrypted_data_key === null) return undefined;
  const decryptKey = await keyToDecrypt(deps, ctx, secret, current.version_id, Buffer.from(current.encrypted_data_key));
  const encryptKey = await keyForNewVersion(deps, ctx, secret, token);
  return { currentVersionId: current.version_id, decryptKey, encryptKey };
}

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
      // The rotation ARN and rules stay; only RotationEnabled turns off, and the scheduler forgets it.
      await trx.updateTable('secrets').set({ rotation_enabled: current.rotation_enabled === null ? null : 0, rotation_due_at: null, last_changed_at: deps.now() })
        .where('id', '=', current.id).execute();
      const pending = await deps.repo.stageHolder(trx, current.id, 'AWSPENDING');
      const currentVersion = await deps.repo.stageHolder(trx, current.id, 'AWSCURRENT');
      return { ARN: current.arn, Name: current.name, VersionId: pending && pending !== currentVersion ? pending : undefined };
    });
  },
});
