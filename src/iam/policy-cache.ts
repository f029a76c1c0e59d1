/**
 * Compiled policies keyed by their text, so the request path parses a policy once: identity
 * policies, boundaries and secret resource policies are read from storage as text on every
 * request, and compiling is ~100x the cost of evaluating.
 *
 * A bounded LRU (a Map keeps insertion order; a hit is re-inserted at the end). Only successful
 * strict compilations are cached; a bad document throws every time, as it should.
 */
import { parsePolicy } from './parse-policy.ts';
import type { CompiledPolicy, PolicyKind } from './policy-types.ts';

export class PolicyCache {
  private readonly entries = new Map<string, CompiledPolicy>();
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 2000) {
    this.maxEntries = Math.max(1, maxEntries);
  }

  get(text: string, kind: PolicyKind): CompiledPolicy {
    // The kind is part of the key: the same text is valid as a resource policy and not as an identity policy.
    const key = `${kind}\u0000${text}`;
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    this.misses++;
    const compiled = parsePolicy(text, { kind });
    this.entries.set(key, compiled);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return compiled;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.hits = 0;
    this.misses = 0;
  }
}

/** The process-wide cache behind `compilePolicyCached`. */
export const defaultPolicyCache = new PolicyCache();

/** Parse (strictly) and compile `text` as a `kind` policy, or return the cached compilation. */
export function compilePolicyCached(text: string, kind: PolicyKind): CompiledPolicy {
  return defaultPolicyCache.get(text, kind);
}
