/**
 * Condition operators (OPS, MULTI, MVEX in shared/reference/iam-policy.md), compiled into one
 * closure per (operator, key) pair so evaluation only reads the prepared request context.
 *
 * Semantics:
 * - operators in a block are ANDed, keys under an operator ANDed, values of a key ORed; for a
 *   negated operator (StringNotEquals, NotIpAddress, ...) the values are NORed: the request value
 *   must match none of them.
 * - absent key: false, except negated operators and `...IfExists` (true) and `Null`.
 * - `ForAllValues:`: every request value must match — true when the key is absent or empty.
 *   `ForAnyValue:`: some request value must match — false when absent or empty. Negated base
 *   operators apply per request value (MVEX).
 * - an unqualified operator on a multivalued key (aws:TagKeys) does not match (undocumented by
 *   AWS; iam-simulate agrees); on a label set (secretsmanager:VersionStage) it matches when any
 *   label does, and a negated one when none does (coffer's documented choice).
 * - policy variables only in String and Arn operators, and only under Version 2012-10-17.
 */
import { arnView, compileArnPattern, compilePattern, isLiteralPattern, matchArn, matchPattern, type ArnPattern, type ArnProblems, type PatternProblems } from './match.ts';
import { cidrContains, parseCidr, type Cidr } from './ip-cidr.ts';
import { parseBase64, parseDate, parseNumeric, type ConditionContext, type ContextEntry } from './request-context.ts';
import { LABEL_SET_KEYS, MULTIVALUED_KEYS } from './condition-keys.ts';
import { keyPath, type FindingSink } from './findings.ts';
import type { ConditionValue } from './policy-types.ts';

type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'Ip' | 'Arn' | 'Null';
type Comparison = 'eq' | 'eqi' | 'like' | 'lt' | 'le' | 'gt' | 'ge';

interface OperatorSpec {
  readonly name: string;
  readonly family: Family;
  readonly comparison: Comparison;
  readonly negated: boolean;
}

const SPECS: readonly OperatorSpec[] = [
  { name: 'StringEquals', family: 'String', comparison: 'eq', negated: false },
  { name: 'StringNotEquals', family: 'String', comparison: 'eq', negated: true },
  { name: 'StringEqualsIgnoreCase', family: 'String', comparison: 'eqi', negated: false },
  { name: 'StringNotEqualsIgnoreCase', family: 'String', comparison: 'eqi', negated: true },
  { name: 'StringLike', family: 'String', comparison: 'like', negated: false },
  { name: 'StringNotLike', family: 'String', comparison: 'like', negated: true },
  { name: 'NumericEquals', family: 'Numeric', comparison: 'eq', negated: false },
  { name: 'NumericNotEquals', family: 'Numeric', comparison: 'eq', negated: true },
  { name: 'NumericLessThan', family: 'Numeric', comparison: 'lt', negated: false },
  { name: 'NumericLessThanEquals', family: 'Numeric', comparison: 'le', negated: false },
  { name: 'NumericGreaterThan', family: 'Numeric', comparison: 'gt', negated: false },
  { name: 'NumericGreaterThanEquals', family: 'Numeric', comparison: 'ge', negated: false },
  { name: 'DateEquals', family: 'Date', comparison: 'eq', negated: false },
  { name: 'DateNotEquals', family: 'Date', comparison: 'eq', negated: true },
  { name: 'DateLessThan', family: 'Date', comparison: 'lt', negated: false },
  { name: 'DateLessThanEquals', family: 'Date', comparison: 'le', negated: false },
  { name: 'DateGreaterThan', family: 'Date', comparison: 'gt', negated: false },
  { name: 'DateGreaterThanEquals', family: 'Date', comparison: 'ge', negated: false },
  { name: 'Bool', family: 'Bool', comparison: 'eq', negated: false },
  { name: 'BinaryEquals', family: 'Binary', comparison: 'eq', negated: false },
  { name: 'IpAddress', family: 'Ip', comparison: 'eq', negated: false },
  { name: 'NotIpAddress', family: 'Ip', comparison: 'eq', negated: true },
  // ArnEquals and ArnLike behave the same (OPS): both take wildcards, segment by segment.
  { name: 'ArnEquals', family: 'Arn', comparison: 'like', negated: false },
  { name: 'ArnLike', family: 'Arn', comparison: 'like', negated: false },
  { name: 'ArnNotEquals', family: 'Arn', comparison: 'like', negated: true },
  { name: 'ArnNotLike', family: 'Arn', comparison: 'like', negated: true },
  { name: 'Null', family: 'Null', comparison: 'eq', negated: false },
];

const SPEC_BY_NAME = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

/** Every operator name the engine accepts, without qualifiers or IfExists. */
export const CONDITION_OPERATORS: readonly string[] = SPECS.map((s) => s.name);

export type SetQualifier = 'ForAllValues' | 'ForAnyValue';

export interface ParsedOperator {
  readonly spec: OperatorSpec;
  readonly qualifier: SetQualifier | undefined;
  readonly ifExists: boolean;
}

/**
 * `ForAnyValue:StringNotLikeIfExists` → parts; undefined when not an operator AWS documents.
 * Operator names are matched case-insensitively.
 */
export function parseOperator(operator: string): ParsedOperator | undefined {
  let rest = operator;
  let qualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon).toLowerCase();
    if (prefix === 'forallvalues') qualifier = 'ForAllValues';
    else if (prefix === 'foranyvalue') qualifier = 'ForAnyValue';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const spec = SPEC_BY_NAME.get(rest.toLowerCase());
  if (spec === undefined) return undefined;
  return { spec, qualifier, ifExists };
}

/** One (operator, key) pair of a Condition block. */
export interface CompiledCondition {
  /** The operator as written, e.g. `ForAnyValue:StringEquals`. */
  readonly operator: string;
  /** The condition key, lowercased. */
  readonly key: string;
  readonly test: (ctx: ConditionContext) => boolean;
}

/** Does request value `i` of `entry` equal/match at least one policy value (positive sense)? */
type ValueTest = (entry: ContextEntry, i: number, ctx: ConditionContext) => boolean;

interface CompileScope {
  readonly path: string;
  /** Variables are substituted (Version 2012-10-17). */
  readonly variables: boolean;
  readonly sink: FindingSink;
}

/**
 * Compile a statement's `Condition` element. Errors (unknown operator, bad values) are reported
 * to the sink; the offending pair then compiles to a condition that never matches, which is
 * what the lenient path evaluates and what iam-simulate does with unknown operators.
 */
export function compileConditionBlock(block: unknown, scope: CompileScope): CompiledCondition[] {
  const { sink } = scope;
  const out: CompiledCondition[] = [];
  if (!isPlainObject(block)) {
    sink.error('CONDITION_SYNTAX', scope.path, 'Condition must be an object of {operator: {key: value}}', 'Syntax errors in policy.');
    return out;
  }
  for (const operator of Object.keys(block)) {
    const opPath = keyPath(scope.path, operator);
    const parsed = parseOperator(operator);
    const keys = block[operator];
    if (parsed === undefined) {
      sink.error('UNKNOWN_OPERATOR', opPath, `unknown condition operator "${operator}"`, `Invalid Condition type : ${operator}.`);
    }
    if (!isPlainObject(keys)) {
      sink.error('CONDITION_SYNTAX', opPath, 'an operator must map condition keys to values', 'Syntax errors in policy.');
      continue;
    }
    if (parsed === undefined) {
      for (const key of Object.keys(keys)) out.push({ operator, key: key.toLowerCase(), test: never });
      continue;
    }
    if (parsed.spec.family === 'Null' && parsed.ifExists) {
      sink.error('NULL_IF_EXISTS', opPath, 'Null cannot be combined with IfExists');
    }
    if (parsed.spec.family === 'Null' && parsed.qualifier !== undefined) {
      sink.warning('NULL_WITH_QUALIFIER', opPath, `${parsed.qualifier} has no effect on Null, which only asks whether the key is present`);
    }
    for (const key of Object.keys(keys)) {
      const path = keyPath(opPath, key);
      out.push(compileCondition(operator, parsed, key, keys[key], { ...scope, path }));
    }
  }
  return out;
}

const never = (): boolean => false;

function compileCondition(operator: string, op: ParsedOperator, rawKey: string, rawValues: unknown, scope: CompileScope): CompiledCondition {
  const { sink, path } = scope;
  const key = rawKey.toLowerCase();
  if (!/^[^:\s]+:.+$/.test(rawKey)) {
    sink.error('CONDITION_KEY_FORMAT', path, `condition key "${rawKey}" must be prefixed by a service, e.g. aws:SourceIp`, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }
  const list = Array.isArray(rawValues) ? (rawValues as unknown[]) : [rawValues];
  const values: string[] = [];
  for (const v of list) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') values.push(String(v satisfies ConditionValue));
    else sink.error('CONDITION_VALUE_TYPE', path, 'condition values must be strings, numbers or booleans', 'Syntax errors in policy.');
  }

  const isMultiKey = MULTIVALUED_KEYS.has(key);
  if (op.spec.family !== 'Null') {
    if (op.qualifier === undefined && isMultiKey) {
      sink.warning('MISSING_QUALIFIER', path, `${rawKey} is multivalued; use ForAnyValue: or ForAllValues: (an unqualified operator never matches it)`);
    }
    if (op.qualifier === 'ForAllValues' && !isMultiKey && !LABEL_SET_KEYS.has(key) && /^(aws|secretsmanager):/.test(key)) {
      sink.warning('FORALLVALUES_SINGLE_VALUED', path, `ForAllValues on single-valued ${rawKey} is true whenever the key is absent`);
    }
  }

  const valueTest = compileValueTest(op.spec, values, scope);
  const test = op.spec.family === 'Null' ? nullTest(key, values, sink, path) : makeTest(key, op, valueTest, values.length, isMultiKey);
  return { operator, key, test };
}

function nullTest(key: string, values: readonly string[], sink: FindingSink, path: string): (ctx: ConditionContext) => boolean {
  let ifAbsent = false;
  let ifPresent = false;
  for (const v of values) {
    const lower = v.toLowerCase();
    if (lower === 'true') ifAbsent = true;
    else if (lower === 'false') ifPresent = true;
    else sink.warning('NULL_VALUE', path, `Null takes true or false, not "${v}"`);
  }
  return (ctx) => {
    const entry = ctx.get(key);
    // An empty set carries no value, which is what Null asks about.
    return entry === undefined || entry.values.length === 0 ? ifAbsent : ifPresent;
  };
}

function makeTest(key: string, op: ParsedOperator, anyValue: ValueTest, policyValueCount: number, isMultiKey: boolean): (ctx: ConditionContext) => boolean {
  const negated = op.spec.negated;
  const ifExists = op.ifExists;
  if (op.qualifier === 'ForAllValues') {
    return (ctx) => {
      const entry = ctx.get(key);
      if (entry === undefined) return true;
      const n = entry.values.length;
      for (let i = 0; i < n; i++) {
        if (anyValue(entry, i, ctx) === negated) return false;
      }
      return true;
    };
  }
  if (op.qualifier === 'ForAnyValue') {
    return (ctx) => {
      const entry = ctx.get(key);
      if (entry === undefined) return ifExists;
      if (policyValueCount === 0) return false;
      const n = entry.values.length;
      for (let i = 0; i < n; i++) {
        if (anyValue(entry, i, ctx) !== negated) return true;
      }
      return false;
    };
  }
  return (ctx) => {
    const entry = ctx.get(key);
    if (entry === undefined || entry.values.length === 0) return ifExists || negated;
    if (isMultiKey) return false;
    const n = entry.values.length;
    if (n === 1) return anyValue(entry, 0, ctx) !== negated;
    // A label set on a single-valued key: positive operators need one label, negated need none.
    for (let i = 0; i < n; i++) if (anyValue(entry, i, ctx)) return !negated;
    return negated;
  };
}

function compileValueTest(spec: OperatorSpec, values: readonly string[], scope: CompileScope): ValueTest {
  switch (spec.family) {
    case 'String':
      return stringTest(spec, values, scope);
    case 'Numeric':
      return orderedTest(spec, values, scope, parseNumeric, 'a number', (e, i) => e.number(i));
    case 'Date':
      return orderedTest(spec, values, scope, parseDate, 'an ISO 8601 date or epoch seconds', (e, i) => e.date(i));
    case 'Bool':
      return boolTest(values, scope);
    case 'Binary':
      return binaryTest(values, scope);
    case 'Ip':
      return ipTest(values, scope);
    case 'Arn':
      return arnTest(values, scope);
    case 'Null':
      return never;
  }
}

function stringTest(spec: OperatorSpec, values: readonly string[], scope: CompileScope): ValueTest {
  const like = spec.comparison === 'like';
  const ignoreCase = spec.comparison === 'eqi';
  if (!like && values.some((v) => /[*?]/.test(v.replace(/\$\{[*?$]\}/g, '')))) {
    scope.sink.warning('WILDCARD_WITHOUT_LIKE', scope.path, `${spec.name} compares "*" and "?" literally; use StringLike for wildcards`);
  }
  warnAboutVariables(values, scope);
  const problems: PatternProblems = {};
  const patterns = values.map((v) => compilePattern(v, { wildcards: like, variables: scope.variables, ignoreCase }, problems));
  reportPatternProblems(problems, scope);

  // Fast paths for the common literal cases: one value, or a set of values.
  if (!like && patterns.every(isLiteralPattern)) {
    if (patterns.length === 1) {
      const lit = patterns[0].lit;
      return ignoreCase ? (e, i) => e.lower(i) === lit : (e, i) => e.values[i] === lit;
    }
    const set = new Set(patterns.map((p) => p.lit));
    return ignoreCase ? (e, i) => set.has(e.lower(i)) : (e, i) => set.has(e.values[i]);
  }
  return (e, i, ctx) => {
    const text = ignoreCase ? e.lower(i) : e.values[i];
    for (let p = 0; p < patterns.length; p++) if (matchPattern(patterns[p], text, 0, text.length, ctx)) return true;
    return false;
  };
}

function warnAboutVariables(values: readonly string[], scope: CompileScope): void {
  if (!scope.variables && values.some((v) => v.includes('${'))) {
    scope.sink.warning('VARIABLE_IN_OLD_VERSION', scope.path, 'policy variables are only substituted under "Version": "2012-10-17"; here "${...}" is literal text');
  }
}

function reportPatternProblems(problems: PatternProblems, scope: CompileScope): void {
  if (problems.variableWithSpaces) scope.sink.warning('VARIABLE_WITH_SPACES', scope.path, 'spaces inside ${ } are not allowed by Access Analyzer; they are trimmed');
  if (problems.malformedVariable) scope.sink.warning('MALFORMED_VARIABLE', scope.path, 'a "${" without a valid variable is taken literally');
}

function orderedTest(
  spec: OperatorSpec,
  values: readonly string[],
  scope: CompileScope,
  parse: (text: string) => number,
  what: string,
  read: (entry: ContextEntry, i: number) => number,
): ValueTest {
  const numbers: number[] = [];
  for (const v of values) {
    const n = parse(v);
    if (Number.isNaN(n)) scope.sink.error('CONDITION_VALUE_FORMAT', scope.path, `${spec.name} needs ${what}, not "${v}"`);
    else numbers.push(n);
  }
  const cmp = spec.comparison;
  return (e, i) => {
    const x = read(e, i);
    if (Number.isNaN(x)) return false;
    for (let k = 0; k < numbers.length; k++) {
      const y = numbers[k];
      if (cmp === 'eq' ? x === y : cmp === 'lt' ? x < y : cmp === 'le' ? x <= y : cmp === 'gt' ? x > y : x >= y) return true;
    }
    return false;
  };
}

function boolTest(values: readonly string[], scope: CompileScope): ValueTest {
  const wanted = new Set<string>();
  for (const v of values) {
    const lower = v.toLowerCase();
    if (lower !== 'true' && lower !== 'false') scope.sink.warning('BOOL_VALUE', scope.path, `Bool takes true or false, not "${v}"; it never matches`);
    wanted.add(lower);
  }
  return (e, i) => wanted.has(e.lower(i));
}

function binaryTest(values: readonly string[], scope: CompileScope): ValueTest {
  const buffers: Buffer[] = [];
  for (const v of values) {
    const b = parseBase64(v);
    if (b === undefined) scope.sink.error('CONDITION_VALUE_FORMAT', scope.path, `BinaryEquals needs base64, not "${v}"`);
    else buffers.push(b);
  }
  return (e, i) => {
    const x = e.binary(i);
    return x !== undefined && buffers.some((b) => b.equals(x));
  };
}

function ipTest(values: readonly string[], scope: CompileScope): ValueTest {
  const cidrs: Cidr[] = [];
  for (const v of values) {
    const c = parseCidr(v);
    if (c === undefined) scope.sink.error('CONDITION_VALUE_FORMAT', scope.path, `"${v}" is not an IPv4 or IPv6 address or CIDR block`);
    else cidrs.push(c);
  }
  return (e, i) => {
    const ip = e.ip(i);
    if (ip === undefined) return false;
    for (let k = 0; k < cidrs.length; k++) if (cidrContains(cidrs[k], ip)) return true;
    return false;
  };
}

function arnTest(values: readonly string[], scope: CompileScope): ValueTest {
  warnAboutVariables(values, scope);
  const problems: ArnProblems = {};
  const patterns: ArnPattern[] = values.map((v) => compileArnPattern(v, scope.variables, problems));
  reportPatternProblems(problems, scope);
  if (problems.notArn) scope.sink.warning('ARN_OPERATOR_NOT_ARN', scope.path, 'an Arn operator value should be an ARN (six colon-separated parts) or "*"');
  return (e, i, ctx) => {
    const view = arnView(e.values[i]);
    for (let k = 0; k < patterns.length; k++) if (matchArn(patterns[k], view, ctx)) return true;
    return false;
  };
}

/** Evaluate a compiled condition list (all must hold). */
export function conditionsHold(conditions: readonly CompiledCondition[], ctx: ConditionContext): boolean {
  for (let i = 0; i < conditions.length; i++) if (!conditions[i].test(ctx)) return false;
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

