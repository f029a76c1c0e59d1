/**
 * A token bucket: `rate` tokens a second up to `capacity`; a request takes one or is refused
 * at once. Refusing (never queueing) is what keeps an overloaded node responsive: a refused
 * request costs a map lookup and a small error response.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private rate: number, private capacity: number, now: number) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Refilled to capacity by `now`: the same as a new bucket, so it may be dropped. */
  isFull(now: number): boolean {
    return this.tokens + ((now - this.last) * this.rate) / 1000 >= this.capacity;
  }

  /** Seconds until the bucket holds a whole token again (0 when it holds one now). */
  secondsUntilToken(now: number): number {
    const tokens = Math.min(this.capacity, this.tokens + (Math.max(0, now - this.last) * this.rate) / 1000);
    return tokens >= 1 ? 0 : (1 - tokens) / this.rate;
  }

  /** Takes a token if one is there; `now` in milliseconds (monotonic). */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * A new rate and size from `now` on (the node's share of a cluster-wide quota changed). The
   * tokens already there stay, up to the new capacity: a grown share fills at its new rate
   * rather than granting a burst at once, and a shrunk one gives back what it no longer holds.
   */
  resize(rate: number, capacity: number, now: number): void {
    this.refill(now);
    this.rate = rate;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }
}
