/**
 * A token bucket: `rate` tokens a second up to `capacity`; a request takes one or is refused
 * at once. Refusing (never queueing) is what keeps an overloaded node responsive: a refused
 * request costs a map lookup and a small error response.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly rate: number, readonly capacity: number, now: number) {
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
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
