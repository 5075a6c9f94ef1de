/**
 * In-memory token buckets keyed by a string (an account, a client address, an organisation): a
 * bucket holds `capacity` tokens and gains one back every `refillIntervalMs`, so bursts pass and
 * sustained use runs at the refill rate. The clock is injected (tests step it). The state is per
 * process: behind a load balancer each copy limits on its own, which still bounds a client to
 * N × the rate.
 *
 * Why not rate-limiter-flexible's `RateLimiterMemory`: it counts points in fixed windows that start
 * at a key's first use, and refills the whole window at once. A bucket of 3 refilled one a second
 * answers `0, 0, 0, wait 1000 ms`, and 400 ms later `wait 600 ms`; a window of 3 points per 3 s
 * answers `wait 3000 ms`, then `wait 2600 ms`, and at the window's end lets a full burst through
 * again — the Retry-After the login throttle, the ingest rate and the intake limits promise (and
 * their tests check) would change. Its API is also asynchronous, so a check-then-take (`waitMs`,
 * then `take`: the login throttle charges nothing unless both of its buckets have a token) could
 * interleave with a concurrent request and let both through. It cannot be driven by an injected
 * clock (it reads `Date.now`). Several centers sharing limits: docs/scale.md#rate-limits-across-centers.
 */

export interface TokenBucketOptions {
  /** Attempts allowed in a burst. */
  readonly capacity: number;
  /** One attempt comes back per this many milliseconds. */
  readonly refillIntervalMs: number;
  /** Keys kept at most; full buckets go first, then the least recently used (memory stays bounded). */
  readonly maxKeys?: number;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;

  constructor(
    private readonly opts: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (!(opts.capacity >= 1 && opts.refillIntervalMs > 0))
      throw new RangeError('a bucket needs capacity ≥ 1');
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Milliseconds until the key has a token again (0: it has one now). Takes nothing. */
  waitMs(key: string): number {
    const b = this.refilled(key);
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) * this.opts.refillIntervalMs);
  }

  /** Takes a token if there is one; returns 0 when taken, else the wait as `waitMs` does. */
  take(key: string): number {
    const wait = this.waitMs(key);
    if (wait > 0) return wait;
    const b = this.refilled(key);
    b.tokens -= 1;
    this.store(key, b);
    return 0;
  }

  /** Forgets the key (its bucket is full again). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string): Bucket {
    const nowMs = this.now();
    const b = this.buckets.get(key);
    if (!b) return { tokens: this.opts.capacity, atMs: nowMs };
    const gained = Math.max(0, nowMs - b.atMs) / this.opts.refillIntervalMs;
    return { tokens: Math.min(this.opts.capacity, b.tokens + gained), atMs: nowMs };
  }

  private store(key: string, b: Bucket): void {
    // Re-inserting moves the key to the end: Map order is then least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, b);
    if (this.buckets.size <= this.maxKeys) return;
    for (const [k] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) return;
      if (this.refilled(k).tokens >= this.opts.capacity) this.buckets.delete(k);
    }
    for (const [k] of this.buckets) {
      if (this.buckets.size <= this.maxKeys) return;
      this.buckets.delete(k);
    }
  }
}
