/**
 * GetRandomPassword: the password recipe Secrets Manager uses, drawn from the OS CSPRNG.
 *
 * Character classes are AWS's: upper, lower, digits and the 32 ASCII punctuation
 * characters; a space only with IncludeSpace. With RequireEachIncludedType (default true)
 * every non-excluded class among upper/lower/digits/punctuation appears at least once; the
 * space is admitted but never required (the API reference lists only those four types).
 *
 * Refusal messages were measured on CloudFormation's GenerateSecretString, which calls this
 * API (go-to-k/cdkd#3086); "…too short based on the required types." is also what moto uses.
 */
import { randomInt } from 'node:crypto';
import { invalidParameter } from '../../errors.ts';

export interface RandomPasswordInput {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

export const UPPERCASE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';
/** Every printable ASCII character that is not a letter, digit or space (32 of them). */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export const DEFAULT_PASSWORD_LENGTH = 32;

export function generateRandomPassword(input: RandomPasswordInput = {}): string {
  const length = input.PasswordLength ?? DEFAULT_PASSWORD_LENGTH;
  // The protocol layer enforces 1–4096 from the model; this guards direct callers.
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw invalidParameter('PasswordLength must be an integer between 1 and 4096.');
  }
  const excluded = new Set(input.ExcludeCharacters ?? '');
  const keep = (chars: string): string => [...chars].filter((c) => !excluded.has(c)).join('');

  const classes: string[] = [];
  if (!input.ExcludeUppercase) classes.push(keep(UPPERCASE));
  if (!input.ExcludeLowercase) classes.push(keep(LOWERCASE));
  if (!input.ExcludeNumbers) classes.push(keep(DIGITS));
  if (!input.ExcludePunctuation) classes.push(keep(PUNCTUATION));

  const requireEach = input.RequireEachIncludedType ?? true;
  // A class switched on but emptied by ExcludeCharacters can't be "required": AWS refuses
  // rather than silently dropping the guarantee. Without the requirement it just drops out.
  if (requireEach && classes.some((c) => c.length === 0)) {
    throw invalidParameter('All characters of the desired type have been excluded.');
  }
  const required = requireEach ? classes : [];
  const pool = classes.join('') + (input.IncludeSpace && !excluded.has(' ') ? ' ' : '');
  if (pool.length === 0) {
    throw invalidParameter('All characters have been excluded from selection.');
  }
  if (required.length > length) {
    throw invalidParameter('Password length is too short based on the required types.');
  }

  // One character from each required class, the rest from the whole pool, then a
  // Fisher–Yates shuffle so the guaranteed characters don't sit at fixed positions.
  // randomInt rejects out-of-range draws internally, so every pick is unbiased.
  const chars: string[] = required.map(pick);
  while (chars.length < length) chars.push(pick(pool));
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

function pick(chars: string): string {
  return chars[randomInt(chars.length)];
}
