/**
 * Wildcard patterns (`*`, `?`) and policy variables (`${aws:username}`), compiled once at parse
 * time into token lists and matched without allocating or building regular expressions, so the
 * hot path is a few `startsWith` calls.
 *
 * Rules (RES, ACT, VARS in shared/reference/iam-policy.md):
 * - `*` matches any run of characters (including none), `?` exactly one.
 * - Actions are case-insensitive: patterns are lowercased here, the caller lowercases the action.
 * - ARNs are matched per colon segment (partition, service, region, account), case-sensitively;
 *   the resource part (after the fifth colon) may contain colons and its `*` runs past them.
 *   A pattern with fewer than six segments lets its last segment run to the end of the ARN.
 * - `${key}` is replaced by the request's single value for `key`; `${key, 'default'}` falls back
 *   to the default; `${*}`, `${?}`, `${$}` are the literal characters. A variable whose key is
 *   absent makes the element not match. Substituted text is literal: a `*` in a user name is
 *   not a wildcard.
 */

/** Token kinds. Plain numbers rather than an enum so the module has no runtime enum object. */
const LIT = 0;
const STAR = 1;
const ONE = 2;
const VAR = 3;

export interface PatternToken {
  readonly t: 0 | 1 | 2 | 3;
  /** LIT: the text (lowercased when the pattern ignores case); VAR: the lowercased key. */
  readonly s: string;
  /** VAR: the default value, if `${key, 'default'}`. */
  readonly def: string | undefined;
}

/** Anything that can resolve a policy variable: the request's condition context. */
export interface VariableSource {
  variable(lowercaseKey: string): string | undefined;
}

/** How the whole pattern can be decided without walking tokens (small ints: a cheap switch). */
const ALL = 0;
const EXACT = 1;
const PREFIX = 2;
const SUFFIX = 3;
const GENERAL = 4;
type Shape = typeof ALL | typeof EXACT | typeof PREFIX | typeof SUFFIX | typeof GENERAL;

export interface Pattern {
  readonly source: string;
  readonly tokens: readonly PatternToken[];
  readonly hasVariables: boolean;
  /** Text is compared lowercased (the caller lowercases the subject, we lowercase variable values). */
  readonly ignoreCase: boolean;
  /** ALL, EXACT, PREFIX, SUFFIX or GENERAL. */
  readonly shape: Shape;
  /** For exact / prefix / suffix shapes: the literal part. */
  readonly lit: string;
}

export interface PatternOptions {
  /** `*` and `?` are wildcards (Like operators, Action, Resource); otherwise literal (Equals operators). */
  readonly wildcards: boolean;
  /** `${...}` is a policy variable (2012-10-17 policies, where variables are allowed). */
  readonly variables: boolean;
  readonly ignoreCase: boolean;
}

/** Problems noticed while compiling, for the validator to turn into findings. */
export interface PatternProblems {
  variableWithSpaces?: boolean;
  malformedVariable?: boolean;
}

const VARIABLE_DEFAULT = /^([^,]*?)\s*,\s*'(.*)'\s*$/s;

/** Compile `source` into tokens. Never throws; oddities are reported through `problems`. */
export function compilePattern(source: string, options: PatternOptions, problems?: PatternProblems): Pattern {
  const tokens: PatternToken[] = [];
  let literal = '';
  const flush = () => {
    if (literal !== '') {
      tokens.push({ t: LIT, s: options.ignoreCase ? literal.toLowerCase() : literal, def: undefined });
      literal = '';
    }
  };
  let hasVariables = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (options.variables && ch === '$' && source[i + 1] === '{') {
      const close = source.indexOf('}', i + 2);
      if (close < 0) {
        if (problems) problems.malformedVariable = true;
        literal += ch;
        continue;
      }
      const inner = source.slice(i + 2, close);
      i = close;
      // Escapes for characters that would otherwise be special (VARS).
      if (inner === '*' || inner === '?' || inner === '$') {
        literal += inner;
        continue;
      }
      let key = inner;
      let def: string | undefined;
      const withDefault = VARIABLE_DEFAULT.exec(inner);
      if (withDefault !== null) {
        key = withDefault[1];
        def = withDefault[2];
      }
      if (key !== key.trim() && problems) problems.variableWithSpaces = true;
      key = key.trim();
      if (key === '' && problems) problems.malformedVariable = true;
      flush();
      hasVariables = true;
      tokens.push({ t: VAR, s: key.toLowerCase(), def: def !== undefined && options.ignoreCase ? def.toLowerCase() : def });
      continue;
    }
    if (options.wildcards && (ch === '*' || ch === '?')) {
      flush();
      // Consecutive stars are one star; keeping one makes backtracking linear in practice.
      if (ch === '*' && tokens.length > 0 && tokens[tokens.length - 1].t === STAR) continue;
      tokens.push({ t: ch === '*' ? STAR : ONE, s: '', def: undefined });
      continue;
    }
    literal += ch;
  }
  flush();

  let shape: Shape = GENERAL;
  let lit = '';
  if (!hasVariables) {
    if (tokens.length === 0) shape = EXACT;
    else if (tokens.length === 1 && tokens[0].t === STAR) shape = ALL;
    else if (tokens.length === 1 && tokens[0].t === LIT) {
      shape = EXACT;
      lit = tokens[0].s;
    } else if (tokens.length === 2 && tokens[0].t === LIT && tokens[1].t === STAR) {
      shape = PREFIX;
      lit = tokens[0].s;
    } else if (tokens.length === 2 && tokens[0].t === STAR && tokens[1].t === LIT) {
      shape = SUFFIX;
      lit = tokens[1].s;
    }
  }
  return { source, tokens, hasVariables, ignoreCase: options.ignoreCase, shape, lit };
}

function resolve(token: PatternToken, vars: VariableSource | undefined, ignoreCase: boolean): string | undefined {
  const value = vars?.variable(token.s);
  if (value !== undefined) return ignoreCase ? value.toLowerCase() : value;
  return token.def;
}

/**
 * Does `text[start, end)` match the pattern? With `ignoreCase` patterns the caller passes
 * lowercased text. Unresolvable variables make it false.
 */
export function matchPattern(
  pattern: Pattern,
  text: string,
  start = 0,
  end = text.length,
  vars?: VariableSource,
): boolean {
  switch (pattern.shape) {
    case ALL:
      return true;
    case EXACT:
      return end - start === pattern.lit.length && text.startsWith(pattern.lit, start);
    case PREFIX:
      return end - start >= pattern.lit.length && text.startsWith(pattern.lit, start);
    case SUFFIX:
      return end - start >= pattern.lit.length && text.startsWith(pattern.lit, end - pattern.lit.length);
    default:
      return matchTokens(pattern.tokens, text, start, end, vars, pattern.ignoreCase);
  }
}

/**
 * Greedy matching with backtracking to the most recent star only. That is complete because
 * every non-star token matches a fixed-length string: once a later star matched, moving an
 * earlier one can only reproduce positions the later star already tries.
 */
function matchTokens(
  tokens: readonly PatternToken[],
  text: string,
  start: number,
  end: number,
  vars: VariableSource | undefined,
  ignoreCase: boolean,
): boolean {
  const n = tokens.length;
  let ti = 0;
  let pos = start;
  let starTi = -1;
  let starPos = 0;
  for (;;) {
    if (ti < n) {
      const tok = tokens[ti];
      if (tok.t === STAR) {
        starTi = ti;
        starPos = pos;
        ti++;
        continue;
      }
      if (tok.t === ONE) {
        if (pos < end) {
          pos++;
          ti++;
          continue;
        }
      } else {
        const s = tok.t === LIT ? tok.s : resolve(tok, vars, ignoreCase);
        if (s === undefined) return false;
        if (pos + s.length <= end && text.startsWith(s, pos)) {
          pos += s.length;
          ti++;
          continue;
        }
      }
    } else if (pos === end) {
      return true;
    }
    if (starTi < 0 || starPos >= end) return false;
    starPos++;
    pos = starPos;
    ti = starTi + 1;
  }
}

/** Whether any variable in the pattern has no value (and no default) in `vars`. */
export function hasUnresolvedVariable(pattern: Pattern, vars: VariableSource | undefined): boolean {
  if (!pattern.hasVariables) return false;
  for (const tok of pattern.tokens) if (tok.t === VAR && resolve(tok, vars, false) === undefined) return true;
  return false;
}

/** The pattern is a plain string (no wildcard, no variable); `lit` is that string. */
export function isLiteralPattern(pattern: Pattern): boolean {
  return pattern.shape === EXACT;
}

/** One-off convenience for tests and callers outside the hot path. */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const compiled = compilePattern(pattern, { wildcards: true, variables: false, ignoreCase });
  return matchPattern(compiled, ignoreCase ? text.toLowerCase() : text);
}

// ---------------------------------------------------------------------------------------------
// ARNs

export interface ArnPattern {
  readonly source: string;
  /** `"*"`: everything, ARN or not. */
  readonly all: boolean;
  /** Colon segments: arn, partition, service, region, account, resource (the last may hold colons). */
  readonly segments: readonly Pattern[] | undefined;
  /** For text that is not an ARN (a placeholder, a typo): matched as a whole string. */
  readonly whole: Pattern | undefined;
}

export interface ArnProblems extends PatternProblems {
  notArn?: boolean;
  wildcardInService?: boolean;
  variableBeforeResource?: boolean;
}

/**
 * Compile a Resource / NotResource entry or an Arn-operator value. Variables are honoured only in
 * the resource part (RES: "variables only after the fifth colon"); elsewhere they stay literal.
 */
export function compileArnPattern(source: string, variables: boolean, problems?: ArnProblems): ArnPattern {
  if (source === '*') return { source, all: true, segments: undefined, whole: undefined };
  if (!source.startsWith('arn:')) {
    if (problems) problems.notArn = true;
    return {
      source,
      all: false,
      segments: undefined,
      whole: compilePattern(source, { wildcards: true, variables, ignoreCase: false }, problems),
    };
  }
  const segments: Pattern[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const colon = source.indexOf(':', pos);
    if (colon < 0) break;
    const text = source.slice(pos, colon);
    if (i === 2 && (text.includes('*') || text.includes('?'))) {
      if (problems) problems.wildcardInService = true;
    }
    if (variables && text.includes('${') && problems) problems.variableBeforeResource = true;
    segments.push(compilePattern(text, { wildcards: true, variables: false, ignoreCase: false }));
    pos = colon + 1;
  }
  if (segments.length < 5 && problems) problems.notArn = true;
  segments.push(compilePattern(source.slice(pos), { wildcards: true, variables, ignoreCase: false }, problems));
  return { source, all: false, segments, whole: undefined };
}

/**
 * An ARN with the positions of its first five colons found once, so that matching it against
 * many patterns does not rescan it. `colons[i]` is -1 past the last colon.
 */
export interface ArnView {
  readonly text: string;
  readonly colons: readonly number[];
}

export function arnView(text: string): ArnView {
  const colons = [-1, -1, -1, -1, -1];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const colon = text.indexOf(':', pos);
    if (colon < 0) break;
    colons[i] = colon;
    pos = colon + 1;
  }
  return { text, colons };
}

/** Match an ARN (or any string) against a compiled ARN pattern. */
export function matchArn(pattern: ArnPattern, arn: string | ArnView, vars?: VariableSource): boolean {
  if (pattern.all) return true;
  const view = typeof arn === 'string' ? arnView(arn) : arn;
  const text = view.text;
  const segments = pattern.segments;
  if (segments === undefined) return matchPattern(pattern.whole as Pattern, text, 0, text.length, vars);
  const colons = view.colons;
  const last = segments.length - 1;
  let pos = 0;
  for (let i = 0; i < last; i++) {
    const colon = colons[i];
    if (colon < 0) return false;
    if (!matchPattern(segments[i], text, pos, colon, vars)) return false;
    pos = colon + 1;
  }
  // A six-segment pattern's resource part runs to the end (it may contain colons). A shorter
  // pattern's last segment runs to the end too, which lets `arn:aws:secretsmanager:*` cover all.
  return matchPattern(segments[last], text, pos, text.length, vars);
}

// ---------------------------------------------------------------------------------------------
// Action lists

/** An `Action` / `NotAction` list: literal names in a set, wildcard ones walked. */
export interface ActionSet {
  readonly all: boolean;
  readonly literals: ReadonlySet<string>;
  readonly patterns: readonly Pattern[];
}

export function compileActionSet(actions: readonly string[]): ActionSet {
  const literals = new Set<string>();
  const patterns: Pattern[] = [];
  let all = false;
  for (const action of actions) {
    const p = compilePattern(action, { wildcards: true, variables: false, ignoreCase: true });
    if (p.shape === ALL) all = true;
    else if (p.shape === EXACT) literals.add(p.lit);
    else patterns.push(p);
  }
  return { all, literals, patterns };
}

/** `lowercaseAction` must be lowercased by the caller (once per evaluation). */
export function matchActionSet(set: ActionSet, lowercaseAction: string): boolean {
  if (set.all || set.literals.has(lowercaseAction)) return true;
  const patterns = set.patterns;
  for (let i = 0; i < patterns.length; i++) {
    if (matchPattern(patterns[i], lowercaseAction, 0, lowercaseAction.length)) return true;
  }
  return false;
}
