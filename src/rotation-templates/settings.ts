/**
 * The function's environment, read as AWS's rotation templates read it: the password
 * settings become GetRandomPassword's seven parameters (all always sent).
 */
import type { GetRandomPasswordCommandInput } from '@aws-sdk/client-secrets-manager';

type Env = Record<string, string | undefined>;

/** AWS's templates count `true`, `1`, `y` and `yes` (any case) as true. */
export function envFlag(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name];
  if (value === undefined) return fallback;
  return ['true', '1', 'y', 'yes'].includes(value.trim().toLowerCase());
}

export function passwordRequest(env: Env, defaultExclude: string): Required<Pick<GetRandomPasswordCommandInput,
  'ExcludeCharacters' | 'PasswordLength' | 'ExcludeNumbers' | 'ExcludePunctuation' | 'ExcludeUppercase' | 'ExcludeLowercase' | 'RequireEachIncludedType'>> {
  const length = env.PASSWORD_LENGTH === undefined ? 32 : Number.parseInt(env.PASSWORD_LENGTH, 10);
  if (!Number.isInteger(length)) throw new Error(`PASSWORD_LENGTH must be a number, got ${JSON.stringify(env.PASSWORD_LENGTH)}`);
  return {
    ExcludeCharacters: env.EXCLUDE_CHARACTERS ?? defaultExclude,
    PasswordLength: length,
    ExcludeNumbers: envFlag(env, 'EXCLUDE_NUMBERS', false),
    ExcludePunctuation: envFlag(env, 'EXCLUDE_PUNCTUATION', false),
    ExcludeUppercase: envFlag(env, 'EXCLUDE_UPPERCASE', false),
    ExcludeLowercase: envFlag(env, 'EXCLUDE_LOWERCASE', false),
    RequireEachIncludedType: envFlag(env, 'REQUIRE_EACH_INCLUDED_TYPE', true),
  };
}

/** How a login uses TLS: the secret's `ssl` (bool or "true"/"false"), or the function's REQUIRE_SSL. */
export type TlsMode = 'require' | 'disable' | 'prefer';

export function tlsMode(ssl: unknown, env: Env): TlsMode {
  if (envFlag(env, 'REQUIRE_SSL', false)) return 'require';
  if (ssl === true || (typeof ssl === 'string' && ssl.trim().toLowerCase() === 'true')) return 'require';
  if (ssl === false || (typeof ssl === 'string' && ssl.trim().toLowerCase() === 'false')) return 'disable';
  // AWS's templates: absent or anything else → try TLS, fall back to plain.
  return 'prefer';
}
