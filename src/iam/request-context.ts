/**
 * The condition-key values of one request, prepared once so that evaluating many statements
 * (and many policies) against them costs no string normalisation: keys are lowercased here,
 * values turned into strings here, and numeric/date/IP interpretations are parsed lazily the
 * first time an operator needs them and then kept on the entry.
 */
import type { ContextValue, ContextValues, RequestPrincipal } from './policy-types.ts';
import { parseIpAddress, type ParsedIp } from './ip-cidr.ts';

/** One condition key's values. `values` always has the text form; parsed forms are caches. */
export class ContextEntry {
  readonly values: readonly string[];
  /** The caller supplied an array (a set), even if it has one element. */
  readonly isSet: boolean;
  private lowered: string[] | undefined;
  private numbers: number[] | undefined;
  private dates: number[] | undefined;
  private ips: (ParsedIp | undefined)[] | undefined;
  private bytes: (Buffer | undefined)[] | undefined;

  constructor(values: readonly string[], isSet: boolean) {
    this.values = values;
    this.isSet = isSet;
  }

  lower(i: number): string {
    if (this.lowered === undefined) this.lowered = this.values.map((v) => v.toLowerCase());
    return this.lowered[i];
  }

  number(i: number): number {
    if (this.numbers === undefined) this.numbers = this.values.map(parseNumeric);
    return this.numbers[i];
  }

  date(i: number): number {
    if (this.dates === undefined) this.dates = this.values.map(parseDate);
    return this.dates[i];
  }

  ip(i: number): ParsedIp | undefined {
    if (this.ips === undefined) this.ips = this.values.map(parseIpAddress);
    return this.ips[i];
  }

  binary(i: number): Buffer | undefined {
    if (this.bytes === undefined) this.bytes = this.values.map(parseBase64);
    return this.bytes[i];
  }
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Integer or decimal, nothing else ("10abc" is not 10). NaN when not numeric. */
export function parseNumeric(text: string): number {
  return NUMERIC.test(text) ? Number(text) : Number.NaN;
}

const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;

/** W3C ISO 8601 date/time or epoch seconds, as milliseconds; NaN when neither. */
export function parseDate(text: string): number {
  if (EPOCH.test(text)) return Number(text) * 1000;
  // Date.parse accepts far more than ISO 8601 ("March 7"); require an ISO-looking start.
  if (!/^\d{4}-\d{2}(?:-\d{2})?(?:[T ].*)?$/.test(text)) return Number.NaN;
  return Date.parse(text);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

function toStrings(value: Exclude<ContextValue, undefined>): readonly string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'boolean' || typeof value === 'number') return [String(value)];
  return value.map(String);
}

/** Condition-key names come from a small set (operations declare fixed keys): lowercase each once. */
const loweredKeys = new Map<string, string>();

function lowerKey(key: string): string {
  let lower = loweredKeys.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (loweredKeys.size >= 4096) loweredKeys.clear();
    loweredKeys.set(key, lower);
  }
  return lower;
}

/** `aws:PrincipalType` values (KEYS); Service and WebIdentity callers have none documented. */
const PRINCIPAL_TYPE_KEY: Readonly<Record<RequestPrincipal['type'], string | undefined>> = {
  Root: 'Account',
  IAMUser: 'User',
  AssumedRole: 'AssumedRole',
  FederatedUser: 'FederatedUser',
  Anonymous: 'Anonymous',
  Service: undefined,
  WebIdentity: undefined,
};

/**
 * The condition context of one request. Build it once per request with
 * `ConditionContext.create(principal, values)`; `evaluate` also accepts the plain values and
 * builds (and caches) one itself.
 */
export class ConditionContext {
  private readonly entries = new Map<string, ContextEntry>();

  /**
   * Keys in `values` win over the ones derived from the principal, so the auth layer stays the
   * authority; the derived ones exist so that a principal alone gives the documented
   * `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:userid`,
   * `aws:username` and `aws:PrincipalTag/*`.
   */
  static create(principal: RequestPrincipal | undefined, values: ContextValues | undefined): ConditionContext {
    const ctx = new ConditionContext();
    if (principal !== undefined) ctx.addPrincipalKeys(principal);
    if (values !== undefined) ctx.addValues(values);
    return ctx;
  }

  /**
   * This context's keys plus `values` (which win), as a new context: the authorizer prepares
   * the principal's keys once and adds each request's keys to a copy.
   */
  extend(values: ContextValues): ConditionContext {
    const ctx = new ConditionContext();
    for (const [key, entry] of this.entries) ctx.entries.set(key, entry);
    ctx.addValues(values);
    return ctx;
  }

  private addValues(values: ContextValues): void {
    for (const key in values) {
      const value = values[key];
      if (value === undefined) continue;
      this.entries.set(lowerKey(key), new ContextEntry(toStrings(value), Array.isArray(value)));
    }
  }

  private addPrincipalKeys(p: RequestPrincipal): void {
    const put = (key: string, value: string | undefined) => {
      if (value !== undefined && value !== '') this.entries.set(key, new ContextEntry([value], false));
    };
    // For a role session, aws:PrincipalArn is the role's ARN, not the session's (KEYS).
    put('aws:principalarn', p.type === 'AssumedRole' ? (p.roleArn ?? p.arn) : p.type === 'Service' ? undefined : p.arn);
    put('aws:principalaccount', p.accountId);
    put('aws:principaltype', PRINCIPAL_TYPE_KEY[p.type]);
    put('aws:userid', p.userId ?? (p.type === 'Root' ? p.accountId : undefined));
    if (p.type === 'IAMUser') put('aws:username', p.username ?? p.arn.slice(p.arn.lastIndexOf('/') + 1));
    if (p.type === 'Service') put('aws:principalservicename', p.arn);
    if (p.tags !== undefined) {
      for (const tagKey of Object.keys(p.tags)) put(`aws:principaltag/${tagKey.toLowerCase()}`, p.tags[tagKey]);
    }
  }

  /** `key` must already be lowercase (compiled policies lowercase their keys). */
  get(key: string): ContextEntry | undefined {
    return this.entries.get(key);
  }

  /**
   * A policy variable's value: single-valued keys only (VARS). A set, even of one element,
   * does not substitute — the element then fails to match.
   */
  variable(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.isSet || entry.values.length !== 1) return undefined;
    return entry.values[0];
  }

  /** Keys present, lowercased; for explanations and tests. */
  keys(): string[] {
    return [...this.entries.keys()];
  }
}
