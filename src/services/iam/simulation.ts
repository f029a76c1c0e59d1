/**
 * The policy simulator's evaluation, shared by the IAM API (SimulateCustomPolicy,
 * SimulatePrincipalPolicy, simulate.ts) and `coffer explain`: one engine call per action ×
 * resource, plus what the engine does not report itself — where each matched statement sits
 * in its document (line/column, as AWS's StartPosition/EndPosition), which condition keys
 * the applicable statements need but the context lacks, and, for explanations, which
 * conditions failed in statements that matched by action and resource.
 */
import { evaluate, parsePolicy, ConditionContext } from '../../iam/index.ts';
import type { CompiledPolicy, ContextValues, Decision, EvaluationResult, MatchedStatement, PolicyKind, PolicyRef, RequestPrincipal } from '../../iam/index.ts';
import { arnView, matchActionSet, matchArn } from '../../iam/match.ts';

/** Where a simulated policy comes from (for explanations; the API answers AWS's SourcePolicyType). */
export type SimPolicySourceType = 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';

export interface SimPolicy {
  /**
   * SourcePolicyId as AWS reports it: `user_<user>_<policy>` (group_, role_) for inline
   * policies, the policy's name for managed ones, `PolicyInputList.1`, `ResourcePolicy`.
   */
  id: string;
  sourceType: SimPolicySourceType;
  /** A managed policy's ARN (explanations name it beside the id). */
  arn?: string;
  document: string;
  policy: CompiledPolicy;
}

export interface Position { Line: number; Column: number }

export interface SimulationSetup {
  principal: RequestPrincipal;
  identity: SimPolicy[];
  boundary?: SimPolicy;
  resourcePolicy?: SimPolicy;
  context: ContextValues;
  /** The account owning the resources (ResourceOwner); default: each ARN's account. */
  resourceAccountId?: string;
}

export interface FailedCondition { policy: SimPolicy; statementIndex: number; operator: string; key: string }

export interface SimulationOutcome {
  action: string;
  resource: string;
  result: EvaluationResult;
  decision: 'allowed' | 'explicitDeny' | 'implicitDeny';
  /** `text`: the statement exactly as the document has it, from its `{` to its `}`. */
  matched: { statement: MatchedStatement; policy: SimPolicy; start: Position; end: Position; json: unknown; text: string }[];
  missingContextValues: string[];
  /** Whether the boundary allows (only when a boundary was given). */
  allowedByBoundary?: boolean;
  /** Per policy class, as AWS's EvalDecisionDetails (only when a resource policy was given). */
  decisionDetails?: Record<string, 'allowed' | 'explicitDeny' | 'implicitDeny'>;
  failedConditions: FailedCondition[];
}

/** Compile a simulator input strictly: a bad document is MalformedPolicyDocument pointing at the element. */
export function simPolicy(id: string, sourceType: SimPolicySourceType, document: string, kind: PolicyKind): SimPolicy {
  return { id, sourceType, document, policy: parsePolicy(document, { kind }) };
}

const DECISION: Readonly<Record<Decision, SimulationOutcome['decision']>> = {
  Allow: 'allowed',
  ExplicitDeny: 'explicitDeny',
  ImplicitDeny: 'implicitDeny',
};

export function simulate(setup: SimulationSetup, action: string, resource: string): SimulationOutcome {
  const ref = (p: SimPolicy): PolicyRef => ({ id: p.id, policy: p.policy });
  const identityRefs = setup.identity.map(ref);
  const boundaryRef = setup.boundary && ref(setup.boundary);
  const resourceRef = setup.resourcePolicy && ref(setup.resourcePolicy);
  const ctx = ConditionContext.create(setup.principal, setup.context);
  const result = evaluate({
    principal: setup.principal,
    action,
    resource,
    resourceAccountId: setup.resourceAccountId,
    context: ctx,
    identityPolicies: identityRefs,
    permissionsBoundary: boundaryRef,
    resourcePolicy: resourceRef,
  });
  const all = [...setup.identity, ...(setup.boundary ? [setup.boundary] : []), ...(setup.resourcePolicy ? [setup.resourcePolicy] : [])];
  const findPolicy = (m: MatchedStatement): SimPolicy | undefined => {
    if (m.policyType === 'resource-based') return setup.resourcePolicy;
    if (m.policyType === 'permissions boundary') return setup.boundary;
    return setup.identity.find((p) => p.id === m.policyId);
  };
  const matched: SimulationOutcome['matched'] = [];
  for (const m of result.matchedStatements) {
    const policy = findPolicy(m);
    if (!policy) continue;
    const json = statementJson(policy.policy.document, m.index);
    const span = statementSpans(policy.document)[m.index]
      ?? { start: { Line: 1, Column: 1 }, end: { Line: 1, Column: 1 }, text: JSON.stringify(json) };
    matched.push({ statement: m, policy, start: span.start, end: span.end, json, text: span.text });
  }
  const outcome: SimulationOutcome = {
    action,
    resource,
    result,
    decision: DECISION[result.decision],
    matched,
    missingContextValues: missingKeys(all, action, resource, ctx),
    failedConditions: failedConditions(all, action, resource, ctx),
  };
  if (setup.boundary) {
    const own = result.matchedStatements.filter((m) => m.policyType === 'permissions boundary');
    outcome.allowedByBoundary = own.some((m) => m.effect === 'Allow') && !own.some((m) => m.effect === 'Deny');
  }
  if (setup.resourcePolicy) {
    const decide = (type: string): SimulationOutcome['decision'] => {
      const own = result.matchedStatements.filter((m) => m.policyType === type);
      return own.some((m) => m.effect === 'Deny') ? 'explicitDeny' : own.some((m) => m.effect === 'Allow') ? 'allowed' : 'implicitDeny';
    };
    outcome.decisionDetails = { 'IAM Policy': decide('identity-based'), 'Resource Policy': decide('resource-based') };
  }
  return outcome;
}

/** Statements of `policy` that apply to the action and (if they name one) the resource. */
function applicable(policy: CompiledPolicy, action: string, resource: string, ctx: ConditionContext) {
  const lower = action.toLowerCase();
  const view = arnView(resource);
  return policy.statements.filter((st) => {
    if (matchActionSet(st.actions, lower) === st.notAction) return false;
    if (st.resources === undefined) return true;
    return st.resources.some((r) => matchArn(r, view, ctx)) !== st.notResource;
  });
}

/** Condition keys used by applicable statements that the context has no value for (AWS's MissingContextValues). */
function missingKeys(policies: readonly SimPolicy[], action: string, resource: string, ctx: ConditionContext): string[] {
  const missing = new Map<string, string>();
  for (const p of policies) {
    for (const st of applicable(p.policy, action, resource, ctx)) {
      for (const c of st.conditions) if (ctx.get(c.key) === undefined && !missing.has(c.key)) missing.set(c.key, originalKey(p, st.index, c.key));
    }
  }
  return [...missing.values()];
}

/** The condition key as the policy spells it (compiled keys are lowercased). */
function originalKey(p: SimPolicy, index: number, lowerKey: string): string {
  const st = statementJson(p.policy.document, index) as { Condition?: Record<string, Record<string, unknown>> } | undefined;
  for (const block of Object.values(st?.Condition ?? {})) {
    for (const key of Object.keys(block ?? {})) if (key.toLowerCase() === lowerKey) return key;
  }
  return lowerKey;
}

function failedConditions(policies: readonly SimPolicy[], action: string, resource: string, ctx: ConditionContext): FailedCondition[] {
  const out: FailedCondition[] = [];
  for (const p of policies) {
    for (const st of applicable(p.policy, action, resource, ctx)) {
      for (const c of st.conditions) {
        if (!c.test(ctx)) out.push({ policy: p, statementIndex: st.index, operator: c.operator, key: originalKey(p, st.index, c.key) });
      }
    }
  }
  return out;
}

/** Statement `index` of a parsed document (Statement may be one object or a list). */
export function statementJson(document: unknown, index: number): unknown {
  const statement = (document as { Statement?: unknown } | undefined)?.Statement;
  if (Array.isArray(statement)) return statement[index];
  return index === 0 ? statement : undefined;
}

// ---------------------------------------------------------------------------------------------
// Statement positions: a small JSON scanner that records where each value starts and ends.

interface Span { start: number; end: number }
interface Node extends Span { members?: Map<string, Node>; items?: Node[] }

function scan(text: string): Node | undefined {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i]!)) i++; };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Node => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, Node>();
      ws();
      while (i < text.length && text[i] !== '}') {
        ws();
        const key = str();
        ws();
        i++; // ':'
        members.set(key, value());
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return { start, end: i, members };
    }
    if (c === '[') {
      i++;
      const items: Node[] = [];
      ws();
      while (i < text.length && text[i] !== ']') {
        items.push(value());
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return { start, end: i, items };
    }
    if (c === '"') {
      str();
      return { start, end: i };
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return { start, end: i };
  };
  try {
    return value();
  } catch {
    return undefined;
  }
}

function position(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { Line: line, Column: offset - lineStart + 1 };
}

/**
 * Where each statement sits, as AWS's simulator reports it (1-based line and column): the
 * position its JSON parser (Jackson) had reached when it began the statement, and the one just
 * past the statement's `}`. For `"Statement": {…}` that is just past the `{` (the parser has
 * read it with the member name); in a list it is just past the `[` for the first statement and
 * just past the previous statement's `}` for the others. Checked against AWS's answers: the
 * CLI reference's simulate-custom-policy example (`{"Version":"2012-10-17","Statement":{…}}` →
 * column 38 to 167), and published SimulateCustomPolicy results where a second statement
 * starts where the first ends. `text` is the statement's exact text, `{` to `}`.
 */
export function statementSpans(text: string): { start: Position; end: Position; text: string }[] {
  const root = scan(text);
  const statement = root?.members?.get('Statement');
  if (!statement) return [];
  if (!statement.items) {
    return [{ start: position(text, statement.start + 1), end: position(text, statement.end), text: text.slice(statement.start, statement.end) }];
  }
  return statement.items.map((n, i) => ({
    start: position(text, i === 0 ? statement.start + 1 : statement.items![i - 1]!.end),
    end: position(text, n.end),
    text: text.slice(n.start, n.end),
  }));
}
