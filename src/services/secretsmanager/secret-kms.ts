/**
 * How Secrets Manager uses KMS, as AWS's does ("Secret encryption and decryption", Secrets
 * Manager user guide):
 *
 * - Every use of a key is the caller's own: Secrets Manager calls KMS with the caller's
 *   credentials, so each use is asked of the authorization hook as `kms:<Action>` on the key
 *   (the key policy required, as KMS decides) with `kms:ViaService =
 *   secretsmanager.<region>.amazonaws.com`, `kms:CallerAccount` and the encryption context
 *   `{SecretARN, SecretVersionId}`. The AWS managed key is decided the same way, by its own
 *   key policy, so an explicit deny on kms:Decrypt in an identity policy blocks it too.
 * - A new value needs kms:GenerateDataKey; reading one, kms:Decrypt; setting or changing a
 *   secret's key first validates both with `SecretVersionId = RequestToValidateKeyAccess`.
 * - The key's state is checked on every use. A refusal by policy is AWS's
 *   AccessDeniedException "Access to KMS is not allowed"; a disabled, pending-deletion or
 *   missing key is DecryptionFailure (reads) or EncryptionFailure (writes) carrying KMS's
 *   message in the form AWS's Java service prints it.
 *
 * Authorization may read the database (a policy-cache miss), so it runs before a writer takes
 * the secret's lock, never inside: on SQLite a read outside the transaction would wait for it.
 */
import { randomUUID } from 'node:crypto';
import { AwsError, invalidParameter } from '../../errors.ts';
import type { RequestContext } from '../../auth/request-context.ts';
import { keyUseRequest, type KmsAction } from '../kms/key-access.ts';
import { aliasNotFound, blobKeyId, keyNotFound, keyStateError, type EncryptionContext } from '../kms/data-keys.ts';
import type { KmsKey } from '../kms/key-store.ts';
import type { SecretRow } from '../../storage/secret-repository.ts';
import type { SecretsManagerDeps } from './deps.ts';

export const KMS_ACCESS_DENIED = 'Access to KMS is not allowed';
/** The SecretVersionId of the calls that check a caller may use a newly chosen key. */
export const VALIDATION_VERSION_ID = 'RequestToValidateKeyAccess';
export const INVALID_KMS_KEY = 'The operation failed because of an invalid KMS key: Invalid keyId';

export function encryptionContext(secretArn: string, versionId: string): EncryptionContext {
  return { SecretARN: secretArn, SecretVersionId: versionId };
}

/** `kms:ViaService` for calls Secrets Manager makes in `region`. */
export function viaService(region: string): string {
  return `secretsmanager.${region}.amazonaws.com`;
}

/** Whether the caller may use `key` for `action` through Secrets Manager (the hook decides). */
export async function mayUseKey(ctx: RequestContext, key: KmsKey, action: KmsAction, context: EncryptionContext): Promise<boolean> {
  const request = keyUseRequest(key, action, {
    callerAccount: ctx.principal.accountId,
    viaService: viaService(ctx.region),
    encryptionContext: context,
  });
  return (await ctx.decide(request)).allowed;
}

export async function requireKeyUse(ctx: RequestContext, key: KmsKey, action: KmsAction, context: EncryptionContext): Promise<void> {
  if (!(await mayUseKey(ctx, key, action, context))) throw new AwsError('AccessDeniedException', KMS_ACCESS_DENIED);
}

/** AWS's Java service prints the KMS exception it got after its own words. */
function kmsFailure(code: 'DecryptionFailure' | 'EncryptionFailure', kms: AwsError): AwsError {
  const verb = code === 'DecryptionFailure' ? 'decrypt' : 'encrypt';
  return new AwsError(code,
    `Secrets Manager can't ${verb} the secret value: ${kms.message} (Service: AWSKMS; Status Code: ${kms.status}; Error Code: ${kms.code}; Request ID: ${randomUUID()}; Proxy: null)`);
}

export const decryptionFailure = (kms: AwsError) => kmsFailure('DecryptionFailure', kms);
export const encryptionFailure = (kms: AwsError) => kmsFailure('EncryptionFailure', kms);

/** Throws EncryptionFailure unless the key's state allows encrypting. */
export function requireEncryptable(key: KmsKey): void {
  const error = keyStateError(key);
  if (error) throw encryptionFailure(error);
}

/** Throws DecryptionFailure unless the key's state allows decrypting. */
export function requireDecryptable(key: KmsKey): void {
  const error = keyStateError(key);
  if (error) throw decryptionFailure(error);
}

type KeyRef = Pick<SecretRow, 'region' | 'kms_key_id' | 'account_id'>;

/**
 * The key new versions of a secret are encrypted under. A KmsKeyId without an account (a key
 * id or alias name) names a key of the caller's account, as KMS resolves it for the caller;
 * the default key is the secret's account's `aws/secretsmanager`, created on first use. A
 * reference that names no key is KMS's NotFoundException (callers decide what it becomes).
 */
export async function resolveSecretKey(deps: SecretsManagerDeps, ctx: RequestContext, secret: KeyRef): Promise<KmsKey | AwsError> {
  const ref = secret.kms_key_id;
  if (!ref) return deps.keys.secretsManagerKey(secret.account_id, secret.region);
  const key = await deps.keys.resolve(ctx.principal.accountId, secret.region, ref);
  if (key) return key;
  const arn = /^arn:aws:kms:/.test(ref) ? ref
    : `arn:aws:kms:${secret.region}:${ctx.principal.accountId}:${ref.startsWith('alias/') ? ref : `key/${ref}`}`;
  return /^arn:aws:kms:[^:]*:\d*:alias\//.test(arn) ? aliasNotFound(arn) : keyNotFound(arn);
}

/**
 * A KmsKeyId a CreateSecret or UpdateSecret sets: it must name a key (InvalidParameterException
 * as AWS), and the caller must be able to use it through Secrets Manager: the validation calls
 * GenerateDataKey and Decrypt with `SecretVersionId = RequestToValidateKeyAccess`.
 */
export async function chooseKey(deps: SecretsManagerDeps, ctx: RequestContext, secret: KeyRef & { arn: string }): Promise<KmsKey> {
  const key = await resolveSecretKey(deps, ctx, secret);
  if (key instanceof AwsError) throw invalidParameter(INVALID_KMS_KEY);
  const context = encryptionContext(secret.arn, VALIDATION_VERSION_ID);
  await requireKeyUse(ctx, key, 'kms:GenerateDataKey', context);
  await requireKeyUse(ctx, key, 'kms:Decrypt', context);
  requireEncryptable(key);
  return key;
}

/**
 * The key a new version `versionId` will be sealed with, authorized (kms:GenerateDataKey) and
 * usable, its current material loaded so sealing inside the transaction needs no database.
 * `chosen`: the key this call just set (and validated), if any.
 */
export async function keyForNewVersion(
  deps: SecretsManagerDeps, ctx: RequestContext, secret: KeyRef & { arn: string }, versionId: string, chosen?: KmsKey,
): Promise<KmsKey> {
  const key = chosen ?? await resolveSecretKey(deps, ctx, secret);
  if (key instanceof AwsError) throw encryptionFailure(key);
  await requireKeyUse(ctx, key, 'kms:GenerateDataKey', encryptionContext(secret.arn, versionId));
  requireEncryptable(key);
  await deps.keys.material(key, key.currentMaterial);
  return key;
}

/**
 * The key a stored data key is wrapped under, with the caller's kms:Decrypt on it checked and
 * its state: what every read of a value goes through before the unwrap.
 */
export async function keyToDecrypt(
  deps: SecretsManagerDeps, ctx: RequestContext, secret: Pick<SecretRow, 'arn' | 'region' | 'account_id'>, versionId: string, encryptedDataKey: Buffer,
): Promise<KmsKey> {
  const keyId = blobKeyId(encryptedDataKey);
  const key = keyId === undefined ? undefined : await deps.keys.getKey(keyId);
  if (!key) {
    throw decryptionFailure(keyNotFound(`arn:aws:kms:${secret.region}:${secret.account_id}:key/${keyId ?? 'unknown'}`));
  }
  await requireKeyUse(ctx, key, 'kms:Decrypt', encryptionContext(secret.arn, versionId));
  requireDecryptable(key);
  return key;
}
