/**
 * ListSecrets (and BatchGetSecretValue) filters: validation and matching.
 *
 * Separate filters are ANDed (even with the same key), the values inside one filter are
 * ORed, and a leading `!` negates a value. Per key:
 * - name, tag-key, tag-value, primary-region: case-sensitive prefix of the whole attribute;
 * - owning-service: case-insensitive prefix;
 * - description, all: case-insensitive and word-based — every word of the value must be the
 *   prefix of some word of the attribute (moto test_list_secrets, LocalStack
 *   test_list_secrets_filtering, both recorded against AWS). `all` looks at the name, the
 *   description and every tag key and value.
 */
import { invalidParameter, validationError } from '../../errors.ts';

export interface SecretFilter {
  Key?: string;
  Values?: string[];
}

export interface FilterableSecret {
  name: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  primaryRegion?: string;
  owningService?: string;
}

export type SecretPredicate = (secret: FilterableSecret) => boolean;

export const FILTER_KEYS = [
  'all',
  'name',
  'tag-key',
  'description',
  'tag-value',
  'primary-region',
  'owning-service',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

const VALUE_PATTERN = /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/;
// The model's pattern, spelled as AWS prints it in validation messages.
const VALUE_PATTERN_TEXT = '^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$';
const MAX_FILTERS = 10;
const MAX_VALUES = 10;
const MAX_VALUE_LENGTH = 512;

/**
 * Validate filters and compile them into one predicate. Model-level violations come first,
 * all together, as one ValidationException (as AWS's front end reports them); then the
 * service's own checks for a missing Key or Values (IPE, texts from moto's AWS-verified tests).
 */
export function compileFilters(filters: SecretFilter[] | undefined): SecretPredicate {
  const list = filters ?? [];
  const problems: string[] = [];
  if (list.length > MAX_FILTERS) {
    problems.push(
      `Value '${javaList(list.map((f) => `{Key: ${f.Key},Values: ${javaList(f.Values ?? [])}}`))}' at 'filters' failed to satisfy constraint: Member must have length less than or equal to ${MAX_FILTERS}`,
    );
  }
  list.forEach((f, i) => {
    const at = `filters.${i + 1}.member`;
    if (f.Key !== undefined && !(FILTER_KEYS as readonly string[]).includes(f.Key)) {
      problems.push(
        `Value '${f.Key}' at '${at}.key' failed to satisfy constraint: Member must satisfy enum value set: ${javaList([...FILTER_KEYS])}`,
      );
    }
    const values = f.Values;
    if (values === undefined) return;
    if (values.length < 1 || values.length > MAX_VALUES) {
      const bound = values.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_VALUES}`;
      problems.push(`Value '${javaList(values)}' at '${at}.values' failed to satisfy constraint: Member must have length ${bound}`);
    }
    const memberRules = new Set<string>();
    for (const v of values) {
      if (v.length > MAX_VALUE_LENGTH) memberRules.add(`Member must have length less than or equal to ${MAX_VALUE_LENGTH}`);
      if (!VALUE_PATTERN.test(v)) memberRules.add(`Member must satisfy regular expression pattern: ${VALUE_PATTERN_TEXT}`);
    }
    if (memberRules.size > 0) {
      problems.push(
        `Value '${javaList(values)}' at '${at}.values' failed to satisfy constraint: Member must satisfy constraint: ${javaList([...memberRules])}`,
      );
    }
  });
  if (problems.length > 0) {
    const n = problems.length;
    throw validationError(`${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }

  const predicates = list.map((f): SecretPredicate => {
    if (f.Key === undefined) throw invalidParameter('Invalid filter key');
    if (f.Values === undefined) throw invalidParameter(`Invalid filter values for key: ${f.Key}`);
    return compileFilter(f.Key as FilterKey, f.Values);
  });
  return (secret) => predicates.every((p) => p(secret));
}

function compileFilter(key: FilterKey, values: string[]): SecretPredicate {
  const matchers = values.map((raw) => {
    const negated = raw.startsWith('!');
    const positive = attributeMatcher(key, negated ? raw.slice(1) : raw);
    // Negation is "the secret does not match the plain value"; with several attributes
    // (tags, `all`) that means none of them matches. AWS's exact rule is unverified.
    return negated ? (s: FilterableSecret) => !positive(s) : positive;
  });
  return (secret) => matchers.some((m) => m(secret));
}

function attributeMatcher(key: FilterKey, value: string): SecretPredicate {
  const prefix = (get: (s: FilterableSecret) => (string | undefined)[]) => (s: FilterableSecret) =>
    get(s).some((a) => a !== undefined && a.startsWith(value));
  switch (key) {
    case 'name':
      return prefix((s) => [s.name]);
    case 'tag-key':
      return prefix((s) => s.tags.map((t) => t.Key));
    case 'tag-value':
      return prefix((s) => s.tags.map((t) => t.Value));
    case 'primary-region':
      return prefix((s) => [s.primaryRegion]);
    case 'owning-service': {
      const lower = value.toLowerCase();
      return (s) => s.owningService !== undefined && s.owningService.toLowerCase().startsWith(lower);
    }
    case 'description':
      return wordMatcher(value, (s) => [s.description]);
    case 'all':
      return wordMatcher(value, (s) => [
        s.name,
        s.description,
        ...s.tags.flatMap((t) => [t.Key, t.Value]),
      ]);
  }
}

function wordMatcher(value: string, get: (s: FilterableSecret) => (string | undefined)[]): SecretPredicate {
  const wanted = splitWords(value).map((w) => w.toLowerCase());
  // A value with no words (empty, or only separators like "/") matches nothing.
  if (wanted.length === 0) return () => false;
  return (s) =>
    get(s).some((attr) => {
      if (attr === undefined) return false;
      const words = splitWords(attr).map((w) => w.toLowerCase());
      return wanted.every((w) => words.some((word) => word.startsWith(w)));
    });
}

/**
 * AWS's word splitting for description/all: split at `/ _ + = . @ -` and whitespace, then at
 * case changes — before an upper-case letter that follows a lower-case one (`myTest` →
 * my|Test) and before the last capital of a run when lower case follows (`COMPANYthings` →
 * COMPAN|Ythings, the LocalStack-recorded example).
 */
export function splitWords(s: string): string[] {
  const words: string[] = [];
  for (const chunk of s.split(/[/_+=.@\-\s]+/)) {
    if (chunk === '') continue;
    let start = 0;
    for (let i = 1; i < chunk.length; i++) {
      const prev = chunk[i - 1];
      const cur = chunk[i];
      const next = chunk[i + 1];
      const lowerToUpper = isLower(prev) && isUpper(cur);
      const acronymEnd = isUpper(prev) && isUpper(cur) && next !== undefined && isLower(next);
      if (lowerToUpper || acronymEnd) {
        words.push(chunk.slice(start, i));
        start = i;
      }
    }
    words.push(chunk.slice(start));
  }
  return words;
}

const isLower = (c: string) => c >= 'a' && c <= 'z';
const isUpper = (c: string) => c >= 'A' && c <= 'Z';

/** Java's List.toString, which AWS validation messages use for lists. */
function javaList(items: string[]): string {
  return `[${items.join(', ')}]`;
}
