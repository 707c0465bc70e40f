/** A token bucket's settings: the sustained rate and how many calls may come at once. */
export interface RateLimitConfig {
  /** Tokens added per second, continuously. */
  readonly ratePerSecond: number;
  /** Bucket size: the longest burst answered without throttling. */
  readonly burst: number;
}

/** The rate limit Security Hub documents for its member operations: 10 requests/s, burst 30. */
export const SERVICE_RATE_LIMIT: RateLimitConfig = { ratePerSecond: 10, burst: 30 };

interface Bucket {
  tokens: number;
  refilledAt: number;
}

/**
 * One token bucket per key (the emulator uses `account/region`), refilled continuously.
 *
 * A bucket starts full, like the service, so a fresh caller gets its whole burst.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param config the rate and burst of every bucket
   * @param now the clock in milliseconds; tests pass a fake one
   */
  constructor(
    public readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {
    if (!(config.ratePerSecond >= 0) || !(config.burst >= 1)) {
      throw new Error(`invalid rate limit ${JSON.stringify(config)}: expected ratePerSecond >= 0 and burst >= 1`);
    }
  }

  /**
   * Takes one token from the key's bucket.
   *
   * @returns false when the bucket is empty (the call must be throttled)
   */
  tryTake(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.config.burst, refilledAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.refilledAt) / 1000;
    bucket.tokens = Math.min(this.config.burst, bucket.tokens + elapsedSeconds * this.config.ratePerSecond);
    bucket.refilledAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      return false;
    }
    bucket.tokens -= 1;
    return true;
  }
}
