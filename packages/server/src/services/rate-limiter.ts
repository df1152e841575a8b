import { RateLimitedError } from "../domain/errors.js";
import type { Clock, Database } from "../ports.js";

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  resetAt: number;
}

/**
 * Fixed one-minute windows counted in Postgres, so every server process on the same database shares
 * one budget per key. A window is a few bytes per key per minute; `prune` drops old ones.
 */
export class RateLimiter {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    readonly perMinute: number,
  ) {}

  async hit(bucket: string): Promise<RateLimitState> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % 60);
    const resetAt = windowStart + 60;
    const count = await this.db.repos().rateLimits.hit(bucket, windowStart);
    if (count > this.perMinute) {
      throw new RateLimitedError(
        Math.max(1, resetAt - nowSeconds),
        `rate limit of ${this.perMinute} requests per minute exceeded`,
      );
    }
    return { limit: this.perMinute, remaining: this.perMinute - count, resetAt };
  }

  async prune(): Promise<number> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    return this.db.repos().rateLimits.prune(nowSeconds - 120);
  }
}
