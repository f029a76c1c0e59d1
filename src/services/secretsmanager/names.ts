/**
 * Secret names, secret ARNs, and how a SecretId is resolved to a secret.
 *
 * An ARN is `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`; the
 * suffix is drawn fresh on every create so a re-created name gets a new ARN. Lookup accepts
 * the full ARN, a "partial ARN" (the ARN without `-XXXXXX`) or the plain name.
 */
import { randomInt } from 'node:crypto';
import { validationError } from '../../errors.ts';

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
export const MAX_NAME_LENGTH = 512;

// AWS's own text; it lists `!` although `!` is not accepted in names (LocalStack snapshot
// test_invalid_secret_name, recorded against AWS).
export const INVALID_NAME_MESSAGE =
  'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SUFFIX_PATTERN = /-[A-Za-z0-9]{6}$/;

export function isValidSecretName(name: string): boolean {
  return name.length >= 1 && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** CreateSecret's name check. */
export function validateSecretName(name: string): void {
  if (!isValidSecretName(name)) throw validationError(INVALID_NAME_MESSAGE);
}

/**
 * The check every SecretId-taking call applies before lookup: an id that is not an ARN must
 * be a valid name, else ValidationException (not ResourceNotFound). ARNs are exempt, as in
 * LocalStack: they are parsed, and an unknown one simply isn't found.
 */
export function validateSecretId(id: string): void {
  if (id.startsWith('arn:')) return;
  if (!NAME_PATTERN.test(id)) throw validationError(INVALID_NAME_MESSAGE);
}

export function randomArnSuffix(): string {
  let s = '';
  for (let i = 0; i < 6; i++) s += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return s;
}

export interface SecretArnParts {
  partition: string;
  region: string;
  accountId: string;
  /** Everything after `secret:` — the name plus its `-XXXXXX` suffix (or none for a partial ARN). */
  resource: string;
}

export function buildSecretArn(parts: {
  region: string;
  accountId: string;
  name: string;
  partition?: string;
  suffix?: string;
}): string {
  const suffix = parts.suffix ?? randomArnSuffix();
  return `arn:${parts.partition ?? 'aws'}:secretsmanager:${parts.region}:${parts.accountId}:secret:${parts.name}-${suffix}`;
}

/** Parse a Secrets Manager secret ARN; anything else (other services, malformed) → undefined. */
export function parseSecretArn(s: string): SecretArnParts | undefined {
  const parts = s.split(':');
  // Names cannot contain ':', so a secret ARN has exactly 7 colon-separated parts.
  if (parts.length !== 7) return undefined;
  const [arn, partition, service, region, accountId, type, resource] = parts;
  if (arn !== 'arn' || service !== 'secretsmanager' || type !== 'secret') return undefined;
  if (!partition || !region || !accountId || !resource) return undefined;
  return { partition, region, accountId, resource };
}

/** The secret's name from its full ARN (the resource minus the random suffix). */
export function secretNameFromArn(arn: string): string | undefined {
  const parts = parseSecretArn(arn);
  if (!parts || !SUFFIX_PATTERN.test(parts.resource)) return undefined;
  return parts.resource.slice(0, -7);
}

/**
 * How to look up a SecretId, in order: each candidate is tried until one finds a secret.
 * - `arn`: compare with the stored full ARN.
 * - `partial-arn`: the secret named `name` in `region`/`accountId` (its ARN minus suffix).
 * - `name`: the secret with this name in the caller's account and region.
 *
 * An ARN whose resource ends in `-` + 6 alphanumerics is taken as a full ARN only, so a
 * secret whose *name* ends like that can't be found by partial ARN — AWS behaves the same
 * (UG troubleshooting; LocalStack test_create_and_update_secret).
 */
export type SecretIdCandidate =
  | { kind: 'arn'; arn: string; partition: string; region: string; accountId: string }
  | { kind: 'partial-arn'; name: string; partition: string; region: string; accountId: string }
  | { kind: 'name'; name: string };

export function secretIdCandidates(id: string): SecretIdCandidate[] {
  const arn = parseSecretArn(id);
  if (!arn) return id.startsWith('arn:') ? [] : [{ kind: 'name', name: id }];
  const { partition, region, accountId, resource } = arn;
  if (SUFFIX_PATTERN.test(resource)) return [{ kind: 'arn', arn: id, partition, region, accountId }];
  return [{ kind: 'partial-arn', name: resource, partition, region, accountId }];
}
