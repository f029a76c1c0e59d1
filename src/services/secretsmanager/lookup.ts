/**
 * From a SecretId to a secret row, and the authorization request for an operation on it.
 */
import { AwsError, invalidRequest, resourceNotFound } from '../../errors.ts';
import type { AuthorizationRequest, ConditionValue, RequestContext } from '../../auth/request-context.ts';
import type { SecretRow } from '../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from './deps.ts';
import { secretIdCandidates, validateSecretId } from './names.ts';

export const SECRET_NOT_FOUND = "Secrets Manager can't find the specified secret.";
export const MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion.";

export async function findSecret(deps: SecretsManagerDeps, ctx: RequestContext, secretId: string): Promise<SecretRow | undefined> {
  validateSecretId(secretId);
  for (const c of secretIdCandidates(secretId)) {
    let row: SecretRow | undefined;
    if (c.kind === 'arn') {
      if (c.region !== ctx.region) continue;
      row = await deps.repo.byArn(c.arn);
    } else if (c.kind === 'partial-arn') {
      if (c.region !== ctx.region) continue;
      row = await deps.repo.byName(c.accountId, c.region, c.name);
    } else {
      row = await deps.repo.byName(ctx.principal.accountId, ctx.region, c.name);
    }
    if (row) return row;
  }
  return undefined;
}

export function requireSecret(row: SecretRow | undefined): SecretRow {
  if (!row) throw resourceNotFound(SECRET_NOT_FOUND);
  return row;
}

/**
 * A value under the AWS managed key can't cross accounts: other accounts can't use an
 * account's `aws/secretsmanager` key, so AWS refuses reads and writes of such a secret's
 * value from another account, whatever the resource policy says (metadata calls still work).
 */
export function requireValueAccessFrom(ctx: RequestContext, row: SecretRow): void {
  if (row.account_id !== ctx.principal.accountId && row.kms_key_id === null) {
    throw invalidRequest("You can't access a secret from a different AWS account if you encrypt the secret with the default KMS service key.");
  }
}

export function requireNotDeleted(row: SecretRow): void {
  if (row.deletion_date !== null) throw invalidRequest(MARKED_FOR_DELETION);
}

export function tagsOf(row: SecretRow): { Key: string; Value: string }[] {
  return row.tags ? (JSON.parse(row.tags) as { Key: string; Value: string }[]) : [];
}

/**
 * The ARN a request is authorized against when the secret does not exist: AWS authorizes
 * before it looks, so an unknown name still needs permission on a matching ARN.
 */
function unresolvedArn(ctx: RequestContext, secretId: string): string {
  if (secretId.startsWith('arn:')) return secretId;
  return `arn:aws:secretsmanager:${ctx.region}:${ctx.principal.accountId}:secret:${secretId}`;
}

/** Authorization for `action` on the secret (or on the id, if there is no such secret). */
export function secretAuthorization(
  ctx: RequestContext,
  action: string,
  secretId: string,
  row: SecretRow | undefined,
  extra: Record<string, ConditionValue> = {},
): AuthorizationRequest {
  const conditions: Record<string, ConditionValue> = { 'secretsmanager:SecretId': row?.arn ?? unresolvedArn(ctx, secretId), ...extra };
  if (row) {
    for (const tag of tagsOf(row)) {
      conditions[`secretsmanager:ResourceTag/${tag.Key}`] = tag.Value;
      conditions[`aws:ResourceTag/${tag.Key}`] = tag.Value;
    }
    if (row.rotation_lambda_arn) conditions['secretsmanager:resource/AllowRotationLambdaArn'] = row.rotation_lambda_arn;
    if (row.primary_region) conditions['secretsmanager:SecretPrimaryRegion'] = row.primary_region;
  }
  return {
    action: `secretsmanager:${action}`,
    resource: row?.arn ?? unresolvedArn(ctx, secretId),
    conditions,
    resourcePolicy: row?.resource_policy ?? null,
  };
}

/** A ClientRequestToken is required wherever a value is written (the SDKs fill it in). */
export function requireToken(token: string | undefined): string {
  if (token === undefined) {
    throw new AwsError('InvalidRequestException', 'You must provide a ClientRequestToken value. We recommend a UUID-type value.');
  }
  return token;
}

/** Midnight UTC of the day: AWS rounds LastAccessedDate to the day. */
export function dayOf(ms: number): number {
  return ms - (ms % 86_400_000);
}
