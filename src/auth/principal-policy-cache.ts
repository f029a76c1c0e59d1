/**
 * Each caller's compiled policy set, kept in memory per access key so that a request by an
 * IAM user or role session costs no IAM table reads: the policy source is asked once, the
 * documents are compiled once, and the set is reused until an IAM write drops the cache.
 */
import { compilePolicyCached, ConditionContext, parsePolicy } from '../iam/index.ts';
import type { CompiledPolicy, PolicyKind, PolicyRef, RequestPrincipal } from '../iam/index.ts';
import type { Principal } from './principal.ts';
import { NO_POLICIES, type PolicySource, type PolicyText, type PrincipalPolicies } from './policy-source.ts';
import { LOCAL_ONLY, type CacheSync } from '../cluster/cache-sync.ts';

export interface CompiledPrincipalSet {
  /** The caller as the engine sees it (role ARN, tags, ids). */
  principal: RequestPrincipal;
  /** The principal's condition keys (aws:PrincipalArn, aws:userid, tags…), extended per request. */
  context: ConditionContext;
  identityPolicies: readonly PolicyRef[];
  permissionsBoundary?: PolicyRef;
  sessionPolicies?: readonly PolicyRef[];
}

const MAX_PRINCIPALS = 10_000;
/** Documents the strict parser refused, per kind, compiled leniently once. */
const lenient = new Map<PolicyKind, Map<string, CompiledPolicy>>();
let lenientSize = 0;

/**
 * Compile a stored document. Documents were validated when written, so the strict, shared
 * cache normally answers; a document stored before validation existed (or by a looser
 * writer) is evaluated as AWS evaluates what it accepted: whatever statements parse.
 * A refused document is looked up first, so it is not re-parsed and refused on every request
 * (AWS's own key policy for aws/secretsmanager repeats a Sid, which the strict parser refuses).
 */
export function compileLenient(text: string, kind: PolicyKind): CompiledPolicy {
  const known = lenient.get(kind)?.get(text);
  if (known !== undefined) return known;
  try {
    return compilePolicyCached(text, kind);
  } catch {
    let compiled: CompiledPolicy;
    try {
      compiled = parsePolicy(text, { kind, strict: false });
    } catch {
      // Not even JSON: a policy with no statements grants and denies nothing.
      compiled = parsePolicy('{"Version":"2012-10-17","Statement":[]}', { kind: 'identity', strict: false });
    }
    if (lenientSize >= 1000) {
      lenient.clear();
      lenientSize = 0;
    }
    let byText = lenient.get(kind);
    if (byText === undefined) lenient.set(kind, (byText = new Map()));
    byText.set(text, compiled);
    lenientSize++;
    return compiled;
  }
}

function ref(text: PolicyText, kind: PolicyKind): PolicyRef {
  return { id: text.id, policy: compileLenient(text.document, kind) };
}

export function requestPrincipal(p: Principal, ownTags: Record<string, string> | undefined): RequestPrincipal {
  const tags = p.sessionTags || ownTags ? { ...ownTags, ...p.sessionTags } : undefined;
  return {
    type: p.type,
    arn: p.arn,
    accountId: p.accountId,
    userId: p.userId,
    username: p.type === 'IAMUser' ? p.userName : undefined,
    roleArn: p.roleArn,
    tags,
  };
}

export function compileSet(p: Principal, policies: PrincipalPolicies): CompiledPrincipalSet {
  const principal = requestPrincipal(p, policies.tags);
  return {
    principal,
    context: ConditionContext.create(principal, undefined),
    identityPolicies: policies.identityPolicies.map((t) => ref(t, 'identity')),
    permissionsBoundary: policies.permissionsBoundary && ref(policies.permissionsBoundary, 'identity'),
    sessionPolicies: policies.sessionPolicies?.map((t) => ref(t, 'identity')),
  };
}

export class PrincipalPolicyCache {
  private readonly sets = new Map<string, CompiledPrincipalSet>();
  /** Bumped by clear(): a load that began before an IAM write must not be cached after it. */
  private generation = 0;
  /** Lookups answered from memory and not (for /metrics). */
  hits = 0;
  misses = 0;

  /** `sync`: with several nodes, whether memory may answer now (src/cluster/); IAM writes publish through the IAM service. */
  constructor(private readonly source: PolicySource, private readonly sync: Pick<CacheSync, 'trusted'> = LOCAL_ONLY) {}

  async get(p: Principal): Promise<CompiledPrincipalSet> {
    const key = p.accessKeyId;
    const trusted = this.sync.trusted();
    const hit = trusted ? this.sets.get(key) : undefined;
    if (hit !== undefined && hit.principal.arn === p.arn) {
      this.hits++;
      return hit;
    }
    this.misses++;
    const generation = this.generation;
    // The root user has no IAM policies: nothing to load.
    const policies = p.type === 'Root' ? NO_POLICIES : await this.source.policiesOf(p);
    const set = compileSet(p, policies);
    if (generation === this.generation && trusted) {
      if (this.sets.size >= MAX_PRINCIPALS) this.sets.clear();
      this.sets.set(key, set);
    }
    return set;
  }

  clear(): void {
    this.generation++;
    this.sets.clear();
  }

  get size(): number {
    return this.sets.size;
  }
}
