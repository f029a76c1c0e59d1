/**
 * Validation as you type for the policy editor's JSON view: syntax errors with a line and
 * column, then the server's own grammar checks (src/iam/parse-policy.ts, the code that answers
 * MalformedPolicyDocument on CreatePolicy / PutRolePolicy / PutKeyPolicy...) with each finding
 * pointed at the element it names. Running the server's validator in the browser means the
 * editor can never disagree with what a save will answer.
 */
import { parseTree, findNodeAtLocation, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { validatePolicy } from '../../../src/iam/parse-policy.ts';
import { policyErrorMessage } from '../../../src/iam/findings.ts';
import type { PolicyKind } from '../../../src/iam/policy-types.ts';

export type { PolicyKind };

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** A stable id: `JSON_SYNTAX` or the server's finding check, e.g. `INVALID_EFFECT`. */
  readonly check: string;
  /** What a person reads; the AWS wording first when the server knows it. */
  readonly message: string;
  /** The element, as the server names it: `Statement[0].Effect`; '' for the whole document. */
  readonly path: string;
  /** 1-based, as editors show them. */
  readonly line: number;
  readonly column: number;
  /** Character range in the text, for highlighting. */
  readonly offset: number;
  readonly length: number;
}

export interface PolicyAnalysis {
  /** The parsed document when the text is valid JSON. */
  readonly document?: unknown;
  readonly diagnostics: readonly Diagnostic[];
  /** True when nothing in `diagnostics` is an error: a save would pass validation. */
  readonly valid: boolean;
}

const SYNTAX_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'not a valid number',
  PropertyNameExpected: 'a property name in double quotes was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon was expected',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'nothing may follow the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in a string (control characters must be escaped)',
};

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function at(text: string, offset: number, length: number): Pick<Diagnostic, 'line' | 'column' | 'offset' | 'length'> {
  return { ...lineColumn(text, offset), offset, length };
}

/**
 * `Statement[0].Condition.StringEquals["aws:SourceAccount"]` → `['Statement', 0, 'Condition',
 * 'StringEquals', 'aws:SourceAccount']` (the server's keyPath format).
 */
export function parseFindingPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\./gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path)) !== null) {
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(JSON.parse(m[3]) as string);
  }
  return segments;
}

/**
 * The node a finding is about. An element that is missing (a statement without Effect) points
 * at the nearest element that exists: the statement. For a property, the key and value both.
 */
function nodeFor(root: Node, path: string): Node {
  const segments = parseFindingPath(path);
  for (let n = segments.length; n > 0; n--) {
    const found = findNodeAtLocation(root, segments.slice(0, n));
    if (found !== undefined) {
      // A property's value: widen to the "Key": value pair so the name is highlighted too.
      return found.parent?.type === 'property' ? found.parent : found;
    }
  }
  return root;
}

/** Everything the JSON view shows under the editor, in document order. */
export function analyzePolicy(text: string, kind: PolicyKind): PolicyAnalysis {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || root === undefined) {
    const diagnostics = errors.map((e): Diagnostic => {
      const code = printParseErrorCode(e.error);
      const where = at(text, e.offset, e.length);
      return {
        severity: 'error', check: 'JSON_SYNTAX', path: '',
        message: `Syntax error: ${SYNTAX_TEXT[code] ?? code}`,
        ...where,
      };
    });
    return { diagnostics, valid: false };
  }
  let document: unknown;
  try {
    // The server decides with JSON.parse; if the two parsers ever disagree, JSON.parse wins.
    document = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : 0;
    return { diagnostics: [{ severity: 'error', check: 'JSON_SYNTAX', path: '', message: `Syntax error: ${message}`, ...at(text, offset, 1) }], valid: false };
  }
  let findings: ReturnType<typeof validatePolicy>;
  try {
    findings = validatePolicy(text, kind);
  } catch (e) {
    // The engine is server code; a path of it that needs Node (BinaryEquals decodes base64
    // with Buffer) cannot run here. Say so rather than claim the policy is valid or broken.
    const message = `This browser could not check the policy (${(e as Error).message}); the server checks it when you save.`;
    return { document, diagnostics: [{ severity: 'warning', check: 'NOT_CHECKED', path: '', message, ...at(text, 0, 0) }], valid: true };
  }
  const diagnostics = findings.map((f): Diagnostic => {
    const node = nodeFor(root, f.path);
    const detail = f.awsMessage !== undefined && f.awsMessage !== f.message ? ` — ${f.message}` : '';
    return {
      severity: f.severity, check: f.check, path: f.path,
      message: `${policyErrorMessage(f)}${detail}`,
      ...at(text, node.offset, node.length),
    };
  });
  diagnostics.sort((a, b) => a.offset - b.offset);
  return { document, diagnostics, valid: !diagnostics.some((d) => d.severity === 'error') };
}
