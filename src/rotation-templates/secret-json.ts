/** The database secret's JSON, as AWS's templates define it. */

export interface DbSecret {
  engine: string;
  host: string;
  username: string;
  password: string;
  port?: number | string;
  dbname?: string;
  ssl?: boolean | string;
  masterarn?: string;
  [key: string]: unknown;
}

/** Parses a secret string and checks the keys every template needs and the engine it accepts. */
export function parseDbSecret(text: string | undefined, acceptedEngines: readonly string[], what = 'secret'): DbSecret {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    throw new Error(`The ${what} is not a JSON object`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`The ${what} is not a JSON object`);
  const secret = value as Record<string, unknown>;
  for (const key of ['engine', 'host', 'username', 'password']) {
    if (typeof secret[key] !== 'string' || secret[key] === '') throw new Error(`${key} key is missing from the ${what} JSON`);
  }
  if (!acceptedEngines.includes(secret.engine as string)) {
    throw new Error(`Database engine must be set to one of ${acceptedEngines.join(', ')} in order to use this rotation lambda`);
  }
  if (secret.port !== undefined && !Number.isInteger(Number(secret.port))) throw new Error(`port in the ${what} JSON is not a number`);
  return secret as DbSecret;
}

export function portOf(secret: DbSecret, fallback: number): number {
  return secret.port === undefined || secret.port === '' ? fallback : Number(secret.port);
}

const CLONE_SUFFIX = '_clone';

/** The other user of an alternating pair: `name` ↔ `name_clone`. */
export function alternateUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username + CLONE_SUFFIX;
}

/** The pair's base name (without `_clone`). */
export function baseUsername(username: string): string {
  return username.endsWith(CLONE_SUFFIX) ? username.slice(0, -CLONE_SUFFIX.length) : username;
}
