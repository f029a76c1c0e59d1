/**
 * The visual view's model of a policy — per statement: effect, service, actions, resources,
 * principals, conditions — and its round trip to and from the JSON document.
 *
 * The round trip is lossless: `toDocument(fromDocument(doc))` deep-equals `doc` for every
 * document the model accepts. What the visual view cannot edit rides along untouched:
 * `Version`/`Id`, unknown elements, whether a list was written as a single string, the types
 * of condition values (`true`, `3600`), element order. A document that does not fit the model
 * (a statement that is not an object, a number where a string list belongs) is refused with a
 * reason instead of being silently reshaped.
 */
import type { ConditionValue } from '../../../src/iam/policy-types.ts';

export type Effect = 'Allow' | 'Deny';

/** A string list as written: `"a"` or `["a", "b"]`; `single` keeps the first form on the way back. */
export interface StringList {
  values: string[];
  single: boolean;
}

export interface VisualCondition {
  /** As written, qualifiers included: `ForAnyValue:StringEquals`, `BoolIfExists`. */
  operator: string;
  key: string;
  values: ConditionValue[];
  single: boolean;
}

/** `Principal` is `"*"` or `{ AWS: ..., Service: ... }`; one entry per kind. */
export type VisualPrincipal = { kind: 'everyone' } | { kind: 'map'; entries: { type: string; list: StringList }[] };

export interface VisualStatement {
  sid?: string;
  effect: Effect | string;
  /** `Action` or `NotAction` (undefined when the statement has neither). */
  actionElement?: 'Action' | 'NotAction';
  actions: StringList;
  resourceElement?: 'Resource' | 'NotResource';
  resources: StringList;
  principalElement?: 'Principal' | 'NotPrincipal';
  principal?: VisualPrincipal;
  conditions: VisualCondition[];
  /** The statement's keys in written order, so the JSON comes back in the same order. */
  order: string[];
  /** Elements the visual view does not edit (unknown keys), kept verbatim. */
  extra: Record<string, unknown>;
}

export interface VisualPolicy {
  statements: VisualStatement[];
  /** `"Statement": {...}` rather than `[...]` (only meaningful while there is one statement). */
  singleStatement: boolean;
  /** Top-level elements other than Statement (Version, Id, unknown), verbatim and in order. */
  top: [string, unknown][];
}

export type FromDocumentResult = { ok: true; policy: VisualPolicy } | { ok: false; reason: string };

const KNOWN = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(value: unknown): StringList | undefined {
  if (typeof value === 'string') return { values: [value], single: true };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return { values: [...value], single: value.length === 0 };
  return undefined;
}

function listValue(list: StringList): string | string[] {
  return list.single && list.values.length === 1 ? list.values[0] : [...list.values];
}

function isConditionValue(v: unknown): v is ConditionValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function fromStatement(entry: unknown, where: string): VisualStatement | string {
  if (!isObject(entry)) return `${where} is not a JSON object`;
  const st: VisualStatement = { effect: '', actions: { values: [], single: false }, resources: { values: [], single: false }, conditions: [], order: Object.keys(entry), extra: {} };
  for (const [key, value] of Object.entries(entry)) {
    switch (key) {
      case 'Sid':
        if (typeof value !== 'string') return `${where}.Sid is not a string`;
        st.sid = value;
        break;
      case 'Effect':
        if (typeof value !== 'string') return `${where}.Effect is not a string`;
        st.effect = value;
        break;
      case 'Action':
      case 'NotAction': {
        const list = stringList(value);
        if (list === undefined || st.actionElement !== undefined) return `${where}.${key} is not a string or a list of strings, or is given twice`;
        st.actionElement = key;
        st.actions = list;
        break;
      }
      case 'Resource':
      case 'NotResource': {
        const list = stringList(value);
        if (list === undefined || st.resourceElement !== undefined) return `${where}.${key} is not a string or a list of strings, or is given twice`;
        st.resourceElement = key;
        st.resources = list;
        break;
      }
      case 'Principal':
      case 'NotPrincipal': {
        if (st.principalElement !== undefined) return `${where} has both Principal and NotPrincipal`;
        st.principalElement = key;
        if (value === '*') st.principal = { kind: 'everyone' };
        else if (isObject(value)) {
          const entries: { type: string; list: StringList }[] = [];
          for (const [type, v] of Object.entries(value)) {
            const list = stringList(v);
            if (list === undefined) return `${where}.${key}.${type} is not a string or a list of strings`;
            entries.push({ type, list });
          }
          st.principal = { kind: 'map', entries };
        } else return `${where}.${key} is neither "*" nor an object`;
        break;
      }
      case 'Condition': {
        if (!isObject(value)) return `${where}.Condition is not an object`;
        for (const [operator, block] of Object.entries(value)) {
          if (!isObject(block)) return `${where}.Condition.${operator} is not an object`;
          for (const [conditionKey, v] of Object.entries(block)) {
            if (isConditionValue(v)) st.conditions.push({ operator, key: conditionKey, values: [v], single: true });
            // An empty list keeps `single` so the first value typed in the visual view becomes a plain string.
            else if (Array.isArray(v) && v.every(isConditionValue)) st.conditions.push({ operator, key: conditionKey, values: [...v], single: v.length === 0 });
            else return `${where}.Condition.${operator}["${conditionKey}"] holds something other than strings, numbers or booleans`;
          }
        }
        break;
      }
      default:
        st.extra[key] = value;
    }
  }
  return st;
}

/** The visual model of a parsed document, or why the visual view cannot show it. */
export function fromDocument(document: unknown): FromDocumentResult {
  if (!isObject(document)) return { ok: false, reason: 'the policy is not a JSON object' };
  const raw = document.Statement;
  let entries: unknown[];
  let singleStatement = false;
  if (raw === undefined) entries = [];
  else if (Array.isArray(raw)) entries = raw;
  else if (isObject(raw)) {
    entries = [raw];
    singleStatement = true;
  } else return { ok: false, reason: 'Statement is neither an object nor a list of objects' };
  const statements: VisualStatement[] = [];
  for (let i = 0; i < entries.length; i++) {
    const st = fromStatement(entries[i], singleStatement ? 'Statement' : `Statement[${i}]`);
    if (typeof st === 'string') return { ok: false, reason: st };
    statements.push(st);
  }
  const top = Object.entries(document).filter(([k]) => k !== 'Statement');
  // Remember where Statement sat among the top-level keys (usually last) with a marker entry.
  const keys = Object.keys(document);
  const at = keys.indexOf('Statement');
  if (at >= 0) top.splice(at, 0, ['Statement', undefined]);
  return { ok: true, policy: { statements, singleStatement, top } };
}

function conditionBlock(conditions: readonly VisualCondition[]): Record<string, Record<string, ConditionValue | ConditionValue[]>> {
  const block: Record<string, Record<string, ConditionValue | ConditionValue[]>> = {};
  for (const c of conditions) {
    const operator = (block[c.operator] ??= {});
    operator[c.key] = c.single && c.values.length === 1 ? c.values[0] : [...c.values];
  }
  return block;
}

function statementOrder(st: VisualStatement): string[] {
  // Elements present now, in the written order first, then new ones in AWS's customary order.
  const present = new Set<string>(Object.keys(st.extra));
  if (st.sid !== undefined) present.add('Sid');
  present.add('Effect');
  if (st.principalElement !== undefined && st.principal !== undefined) present.add(st.principalElement);
  if (st.actionElement !== undefined) present.add(st.actionElement);
  if (st.resourceElement !== undefined) present.add(st.resourceElement);
  if (st.conditions.length > 0) present.add('Condition');
  const canonical = ['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  const written = st.order.filter((k) => present.has(k));
  const added = canonical.filter((k) => present.has(k) && !written.includes(k));
  const extras = Object.keys(st.extra).filter((k) => !written.includes(k));
  // A new element goes before the first written element that follows it canonically.
  const out = [...written];
  for (const key of added) {
    const rank = canonical.indexOf(key);
    const before = out.findIndex((k) => KNOWN.has(k) && canonical.indexOf(k) > rank);
    if (before < 0) out.push(key);
    else out.splice(before, 0, key);
  }
  return [...out, ...extras];
}

export function statementToJson(st: VisualStatement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of statementOrder(st)) {
    if (key === 'Sid') out.Sid = st.sid;
    else if (key === 'Effect') out.Effect = st.effect;
    else if (key === st.actionElement) out[key] = listValue(st.actions);
    else if (key === st.resourceElement) out[key] = listValue(st.resources);
    else if (key === st.principalElement && st.principal !== undefined) {
      out[key] = st.principal.kind === 'everyone' ? '*' : Object.fromEntries(st.principal.entries.map((e) => [e.type, listValue(e.list)]));
    } else if (key === 'Condition') out.Condition = conditionBlock(st.conditions);
    else if (key in st.extra) out[key] = st.extra[key];
  }
  return out;
}

/** The JSON document of a visual model. */
export function toDocument(policy: VisualPolicy): Record<string, unknown> {
  const statements = policy.statements.map(statementToJson);
  const statementValue = policy.singleStatement && statements.length === 1 ? statements[0] : statements;
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [key, value] of policy.top) {
    if (key === 'Statement') {
      out.Statement = statementValue;
      placed = true;
    } else out[key] = value;
  }
  if (!placed && statements.length > 0) out.Statement = statementValue;
  return out;
}

/** Pretty JSON as the editor shows and saves it. */
export function formatDocument(document: unknown): string {
  return JSON.stringify(document, null, 2);
}

/** A fresh statement for "Add statement": identity policies have Resource, trust policies a Principal. */
export function newStatement(kind: 'identity' | 'resource' | 'trust'): VisualStatement {
  const st: VisualStatement = {
    effect: 'Allow', actionElement: 'Action', actions: { values: [], single: false },
    resources: { values: [], single: false }, conditions: [], order: [], extra: {},
  };
  if (kind !== 'trust') st.resourceElement = 'Resource';
  if (kind !== 'identity') {
    st.principalElement = 'Principal';
    st.principal = { kind: 'map', entries: [{ type: kind === 'trust' ? 'Service' : 'AWS', list: { values: [], single: true } }] };
  }
  return st;
}

/**
 * The service a statement's actions belong to, for the visual view's service picker: the
 * common prefix (`secretsmanager`), `*` for `"Action": "*"`, '' for none or several.
 */
export function statementService(st: VisualStatement): string {
  const prefixes = new Set(st.actions.values.map((a) => (a === '*' ? '*' : a.slice(0, a.indexOf(':')).toLowerCase())));
  return prefixes.size === 1 ? [...prefixes][0] : '';
}
