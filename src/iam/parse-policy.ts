/**
 * Parse, validate and compile a JSON policy document (grammar in shared/reference/iam-policy.md
 * §2). Everything the evaluator needs is decided here — wildcard patterns tokenised, condition
 * operators resolved to closures, principals put into sets — so evaluation parses nothing.
 *
 * One pass collects every finding. `strict` (the default, used on write paths such as
 * PutResourcePolicy / CreatePolicy) throws the first error; `strict: false` compiles whatever it
 * can so that a stored or quoted document is evaluated as AWS would treat it (an invalid element
 * then matches nothing), and `validatePolicy` returns all findings without throwing.
 */
import { compileConditionBlock, type CompiledCondition } from './conditions.ts';
import { FindingSink, PolicyValidationError, keyPath } from './findings.ts';
import { compileActionSet, compileArnPattern, type ActionSet, type ArnPattern, type ArnProblems } from './match.ts';
import { compilePrincipal, type CompiledPrincipal } from './principal.ts';
import { SECRETSMANAGER_ACTIONS, SOURCE_KEYS } from './condition-keys.ts';
import type { CompiledPolicy, CompiledStatement, PolicyFinding, PolicyKind } from './policy-types.ts';

export interface ParseOptions {
  readonly kind: PolicyKind;
  /** Throw on the first error (default). With `false`, only unparseable JSON throws. */
  readonly strict?: boolean;
  /** Error code of the thrown AwsError; default `MalformedPolicyDocument` (IAM's). */
  readonly errorCode?: string;
}

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const ACTION_FORMAT = /^[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+$/;
const SYNTAX = 'Syntax errors in policy.';

/** String(v), except for an object whose toString is not a function (String would throw a TypeError, a 500). */
function printable(v: unknown): string {
  try {
    return String(v);
  } catch {
    return JSON.stringify(v);
  }
}

/** Parse and compile policy text. Throws `PolicyValidationError` (an AwsError) on errors. */
export function parsePolicy(text: string, options: ParseOptions): CompiledPolicy {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (e) {
    const finding: PolicyFinding = {
      severity: 'error',
      check: 'JSON_SYNTAX',
      path: '',
      message: `the policy is not valid JSON (${(e as Error).message})`,
      awsMessage: SYNTAX,
    };
    throw new PolicyValidationError(finding, [finding], options.errorCode);
  }
  return compilePolicyDocument(document, options);
}

/** Compile an already-parsed document (e.g. a managed policy kept as data). */
export function compilePolicyDocument(document: unknown, options: ParseOptions): CompiledPolicy {
  const sink = new FindingSink();
  const policy = compile(document, options.kind, sink);
  const strict = options.strict ?? true;
  const firstError = sink.firstError();
  if (firstError !== undefined && (strict || policy === undefined)) {
    throw new PolicyValidationError(firstError, sink.findings, options.errorCode);
  }
  return policy as CompiledPolicy;
}

/** Every finding (errors and warnings) for `text`; never throws. */
export function validatePolicy(text: string, kind: PolicyKind): readonly PolicyFinding[] {
  try {
    return parsePolicy(text, { kind, strict: false }).findings;
  } catch (e) {
    if (e instanceof PolicyValidationError) return e.findings;
    throw e;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns undefined only when nothing can be evaluated at all (the document is not an object). */
function compile(document: unknown, kind: PolicyKind, sink: FindingSink): CompiledPolicy | undefined {
  if (!isObject(document)) {
    sink.error('DOCUMENT_SYNTAX', '', 'a policy document must be a JSON object', SYNTAX);
    return undefined;
  }
  for (const key of Object.keys(document)) {
    if (TOP_LEVEL.has(key)) continue;
    const hint = key === 'Policy' ? ' — the document is wrapped in {"Policy": …}; pass the inner object' : '';
    sink.error('UNKNOWN_ELEMENT', key, `unknown top-level element "${key}"${hint}`, SYNTAX);
  }

  const version = document.Version;
  let versionText: string | undefined;
  if (version === undefined) {
    sink.warning('MISSING_VERSION', 'Version', 'no Version: AWS applies 2008-10-17 rules, so policy variables are literal text; add "Version": "2012-10-17"');
  } else if (typeof version !== 'string' || !VERSIONS.has(version)) {
    sink.error('INVALID_VERSION', 'Version', `${JSON.stringify(version)} is not a policy language version; use "2012-10-17"`, 'The policy failed legacy parsing');
  } else {
    versionText = version;
  }
  const variables = versionText === '2012-10-17';

  const id = document.Id;
  if (id !== undefined && typeof id !== 'string') sink.error('ID_TYPE', 'Id', 'Id must be a string', SYNTAX);

  const statements: CompiledStatement[] = [];
  const raw = document.Statement;
  if (raw === undefined) {
    if (!Object.keys(document).some((k) => !TOP_LEVEL.has(k))) {
      sink.error('MISSING_STATEMENT', 'Statement', 'a policy needs a Statement', 'Missing required field Statement');
    }
  } else if (!isObject(raw) && !Array.isArray(raw)) {
    sink.error('STATEMENT_SYNTAX', 'Statement', 'Statement must be an object or an array of objects', SYNTAX);
  } else {
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    const sids = new Set<string>();
    list.forEach((entry, index) => {
      const path = Array.isArray(raw) ? `Statement[${index}]` : 'Statement';
      const compiled = compileStatement(entry, index, path, kind, variables, sink, sids);
      if (compiled !== undefined) statements.push(compiled);
    });
  }

  return {
    kind,
    version: versionText,
    id: typeof id === 'string' ? id : undefined,
    statements,
    findings: sink.findings,
    document,
    statementsByAction: new Map(),
  };
}

function compileStatement(
  entry: unknown,
  index: number,
  path: string,
  kind: PolicyKind,
  variables: boolean,
  sink: FindingSink,
  sids: Set<string>,
): CompiledStatement | undefined {
  if (!isObject(entry)) {
    sink.error('STATEMENT_SYNTAX', path, 'each statement must be an object', SYNTAX);
    return undefined;
  }
  for (const key of Object.keys(entry)) {
    if (!STATEMENT_ELEMENTS.has(key)) sink.error('UNKNOWN_ELEMENT', keyPath(path, key), `unknown statement element "${key}"`, SYNTAX);
  }

  // Sid: IAM allows [0-9A-Za-z]; Lambda function policies (resource policies) allow more, as in
  // the seed's "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE".
  let sid: string | undefined;
  if (entry.Sid !== undefined) {
    if (typeof entry.Sid !== 'string') {
      sink.error('SID_TYPE', `${path}.Sid`, 'Sid must be a string', SYNTAX);
    } else {
      sid = entry.Sid;
      if (!/^[0-9A-Za-z]*$/.test(sid)) {
        const message = 'Sid must be alphanumeric ([0-9A-Za-z]*) in IAM policies';
        if (kind === 'resource') sink.warning('SID_FORMAT', `${path}.Sid`, `${message}; accepted here because some resource policies (Lambda) allow more`);
        else sink.error('SID_FORMAT', `${path}.Sid`, message, 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
      }
      if (sid !== '' && sids.has(sid)) {
        sink.error('DUPLICATE_SID', `${path}.Sid`, `Sid "${sid}" is used by an earlier statement`, 'Statement IDs (SID) in a single policy must be unique.');
      }
      sids.add(sid);
    }
  }

  const effect = entry.Effect;
  let validEffect: 'Allow' | 'Deny' | undefined;
  if (effect === undefined) sink.error('MISSING_EFFECT', `${path}.Effect`, 'a statement needs "Effect": "Allow" or "Deny"', 'Missing required field Effect');
  else if (effect !== 'Allow' && effect !== 'Deny') {
    sink.error('INVALID_EFFECT', `${path}.Effect`, `${JSON.stringify(effect)} is not "Allow" or "Deny" (case-sensitive)`, `Invalid effect: ${printable(effect)}`);
  } else validEffect = effect;

  const { actions, notAction } = compileActions(entry, path, sink);
  const { resources, notResource } = compileResources(entry, path, kind, variables, sink);
  const { principal, notPrincipal } = compilePrincipals(entry, path, kind, validEffect, sink);

  let conditions: CompiledCondition[] = [];
  if (entry.Condition !== undefined) {
    conditions = compileConditionBlock(entry.Condition, { path: `${path}.Condition`, variables, sink });
  }

  if (kind === 'resource' && validEffect === 'Allow' && principal !== undefined && principal.services.size > 0) {
    if (!conditions.some((c) => SOURCE_KEYS.has(c.key))) {
      sink.warning('SERVICE_PRINCIPAL_WITHOUT_SOURCE', path, 'a service principal is allowed without an aws:SourceAccount or aws:SourceArn condition (confused deputy)');
    }
  }

  // A statement whose effect is unknown cannot be evaluated either way; drop it.
  if (validEffect === undefined) return undefined;
  return { index, sid, effect: validEffect, actions, notAction, resources, notResource, principal, notPrincipal, conditions };
}

function stringList(value: unknown, path: string, sink: FindingSink): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const out: string[] = [];
  for (const v of list) {
    if (typeof v === 'string') out.push(v);
    else sink.error('VALUE_TYPE', path, 'expected a string or an array of strings', SYNTAX);
  }
  return out;
}

function compileActions(entry: Record<string, unknown>, path: string, sink: FindingSink): { actions: ActionSet; notAction: boolean } {
  const hasAction = entry.Action !== undefined;
  const hasNot = entry.NotAction !== undefined;
  if (hasAction && hasNot) sink.error('ACTION_AND_NOTACTION', path, 'use Action or NotAction, not both', SYNTAX);
  if (!hasAction && !hasNot) {
    sink.error('MISSING_ACTION', `${path}.Action`, 'a statement needs Action or NotAction', 'Missing required field Action');
    return { actions: compileActionSet([]), notAction: false };
  }
  const element = hasAction ? 'Action' : 'NotAction';
  const elementPath = `${path}.${element}`;
  const list = stringList(entry[element], elementPath, sink);
  if (list.length === 0) sink.warning('EMPTY_ACTION', elementPath, `an empty ${element} list matches ${hasAction ? 'nothing' : 'everything'}`);
  for (const action of list) {
    if (action === '*') continue;
    if (!ACTION_FORMAT.test(action)) {
      sink.error('ACTION_FORMAT', elementPath, `"${action}" is not "service:Action" or "*"`, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      continue;
    }
    const lower = action.toLowerCase();
    if (lower.startsWith('secretsmanager:') && !/[*?]/.test(lower) && !SECRETSMANAGER_ACTIONS.has(lower)) {
      sink.warning('UNDEFINED_ACTION', elementPath, `"${action}" is not a Secrets Manager action; it matches no request`);
    }
  }
  return { actions: compileActionSet(list), notAction: !hasAction };
}

const SECRET_RESOURCE = /^arn:[^:]*:secretsmanager:([^:]*):([^:]*):secret:(.*)$/;

function compileResources(
  entry: Record<string, unknown>,
  path: string,
  kind: PolicyKind,
  variables: boolean,
  sink: FindingSink,
): { resources: ArnPattern[] | undefined; notResource: boolean } {
  const hasResource = entry.Resource !== undefined;
  const hasNot = entry.NotResource !== undefined;
  if (kind === 'trust') {
    if (hasResource || hasNot) {
      const element = hasResource ? 'Resource' : 'NotResource';
      sink.error('TRUST_RESOURCE', `${path}.${element}`, `a role trust policy has no ${element}`, `Has prohibited field ${element}`);
    }
    return { resources: undefined, notResource: false };
  }
  if (hasResource && hasNot) sink.error('RESOURCE_AND_NOTRESOURCE', path, 'use Resource or NotResource, not both', SYNTAX);
  if (!hasResource && !hasNot) {
    sink.error('MISSING_RESOURCE', `${path}.Resource`, 'a statement needs Resource or NotResource', 'Missing required field Resource');
    return { resources: [], notResource: false };
  }
  const element = hasResource ? 'Resource' : 'NotResource';
  const elementPath = `${path}.${element}`;
  const resources: ArnPattern[] = [];
  for (const value of stringList(entry[element], elementPath, sink)) {
    const problems: ArnProblems = {};
    resources.push(compileArnPattern(value, variables, problems));
    if (problems.notArn) {
      sink.error('RESOURCE_FORMAT', elementPath, `"${value}" is not an ARN or "*"; it matches no resource`, `Resource ${value} must be in ARN format or "*".`);
      continue;
    }
    if (problems.wildcardInService) {
      sink.error('RESOURCE_VENDOR_WILDCARD', elementPath, `"${value}": the service part of an ARN cannot contain wildcards`, 'Resource vendor must be fully qualified and cannot contain regexes.');
    }
    if (problems.variableBeforeResource) {
      sink.warning('VARIABLE_OUTSIDE_RESOURCE_PART', elementPath, `"${value}": variables are only substituted after the fifth colon; this one is literal`);
    }
    if (problems.variableWithSpaces) sink.warning('VARIABLE_WITH_SPACES', elementPath, 'spaces inside ${ } are not allowed by Access Analyzer; they are trimmed');
    if (!variables && value.includes('${')) {
      sink.warning('VARIABLE_IN_OLD_VERSION', elementPath, 'policy variables are only substituted under "Version": "2012-10-17"; here "${...}" is literal text');
    }
    checkArnFields(value, elementPath, sink);
    checkSecretArn(value, elementPath, sink);
  }
  return { resources, notResource: !hasResource };
}

/**
 * Access Analyzer's "invalid ARN region / account" checks (AACHK): a region or account field that
 * cannot be one (a documentation placeholder such as `<region>` left in, seed 003) is compared
 * as literal text and matches nothing. IAM stores such documents, so these are warnings.
 */
function checkArnFields(value: string, path: string, sink: FindingSink): void {
  const fields = value.split(':');
  if (fields.length < 6 || fields[0] !== 'arn') return;
  const [, , , region, account] = fields;
  if (!region.includes('${') && !/^[a-z0-9*?-]*$/.test(region)) {
    sink.warning('ARN_REGION_FORMAT', path, `"${value}": "${region}" is not a region; it is compared as text and matches no resource`);
  }
  if (!account.includes('${') && !/^(?:[0-9*?]*|aws)$/.test(account)) {
    sink.warning('ARN_ACCOUNT_FORMAT', path, `"${value}": "${account}" is not an account id; it is compared as text and matches no resource`);
  }
}

/** Secrets Manager ARN pitfalls documented in SMID. Warnings: AWS accepts these, they just match nothing useful. */
function checkSecretArn(value: string, path: string, sink: FindingSink): void {
  const m = SECRET_RESOURCE.exec(value);
  if (m === null) return;
  const [, region, account, secretId] = m;
  if (region === '' || account === '') {
    sink.warning('SECRET_ARN_EMPTY_FIELD', path, `"${value}": an empty region or account matches only an empty field, not any; use "*"`);
  }
  if (secretId.includes('*') || secretId.includes('${')) return;
  if (!/-[A-Za-z0-9?]{6}$/.test(secretId)) {
    sink.warning(
      'SECRET_ARN_WITHOUT_SUFFIX',
      path,
      `"${value}": secret ARNs end in "-" and six random characters, so this matches no secret; use "${value}-??????"`,
    );
  }
}

function compilePrincipals(
  entry: Record<string, unknown>,
  path: string,
  kind: PolicyKind,
  effect: 'Allow' | 'Deny' | undefined,
  sink: FindingSink,
): { principal: CompiledPrincipal | undefined; notPrincipal: boolean } {
  const hasPrincipal = entry.Principal !== undefined;
  const hasNot = entry.NotPrincipal !== undefined;
  if (kind === 'identity') {
    if (hasPrincipal || hasNot) {
      const element = hasPrincipal ? 'Principal' : 'NotPrincipal';
      sink.error('PRINCIPAL_IN_IDENTITY_POLICY', `${path}.${element}`, `an identity-based policy cannot name a ${element}`, 'Policy document should not specify a principal.');
    }
    return { principal: undefined, notPrincipal: false };
  }
  if (hasPrincipal && hasNot) sink.error('PRINCIPAL_AND_NOTPRINCIPAL', path, 'use Principal or NotPrincipal, not both', SYNTAX);
  if (!hasPrincipal && !hasNot) {
    sink.error('MISSING_PRINCIPAL', `${path}.Principal`, `a ${kind === 'trust' ? 'role trust' : 'resource-based'} policy statement must name a Principal`, 'Missing required field Principal');
    // Names nobody: the statement applies to no request.
    return { principal: compilePrincipal({}, `${path}.Principal`, sink), notPrincipal: false };
  }
  if (hasNot && kind === 'trust') {
    sink.error('NOTPRINCIPAL_IN_TRUST', `${path}.NotPrincipal`, 'a role trust policy cannot use NotPrincipal', SYNTAX);
  }
  if (hasNot && effect === 'Allow') {
    sink.warning('ALLOW_NOTPRINCIPAL', `${path}.NotPrincipal`, 'Allow with NotPrincipal grants everyone not listed, including anonymous callers; use Principal "*" with a condition');
  }
  const element = hasPrincipal ? 'Principal' : 'NotPrincipal';
  return { principal: compilePrincipal(entry[element], `${path}.${element}`, sink), notPrincipal: !hasPrincipal };
}
