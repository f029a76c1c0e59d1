/**
 * A small per-user and per-address backoff for console password sign-in: after a few failures
 * in a row (5 for one user name, 20 from one address, which many users may share), each
 * further attempt must wait, doubling up to a minute. Keys are what the caller
 * typed (account/user name) and the source address, whether or not such a user exists, so the
 * backoff tells nothing about which users exist. Memory only: a restart forgets it.
 */
const MAX_WAIT_MS = 60_000;
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_ENTRIES = 10_000;

interface Entry { failures: number; blockedUntil: number; lastFailure: number }

/** A key and how many failures in a row it gets before it must wait. */
export interface BackoffKey { key: string; free: number }

export class SignInBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds the caller must still wait for any of `keys`; 0 when it may try. */
  waitFor(keys: BackoffKey[]): number {
    const now = this.now();
    let wait = 0;
    for (const { key } of keys) {
      const e = this.entries.get(key);
      if (!e) continue;
      if (now - e.lastFailure > FORGET_AFTER_MS) { this.entries.delete(key); continue; }
      wait = Math.max(wait, e.blockedUntil - now);
    }
    return wait;
  }

  failed(keys: BackoffKey[]): void {
    const now = this.now();
    if (this.entries.size > MAX_ENTRIES) this.prune(now);
    for (const { key, free } of keys) {
      const e = this.entries.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
      e.failures++;
      e.lastFailure = now;
      if (e.failures >= free) e.blockedUntil = now + Math.min(MAX_WAIT_MS, 1000 * 2 ** (e.failures - free));
      this.entries.set(key, e);
    }
  }

  /** A success clears the user name's failures; the address's stay (one user's success vouches for no other). */
  succeeded(keys: BackoffKey[]): void {
    for (const { key } of keys) if (key.startsWith('user:')) this.entries.delete(key);
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries) if (now - e.lastFailure > FORGET_AFTER_MS) this.entries.delete(key);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }
}
