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

  /** The current one-minute window (unix seconds). */
  window(): { start: number; now: number } {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return { start: now - (now % 60), now };
  }

  /** Judges `hits` counted in `window`: the state for the response headers, or a 429. */
  check(hits: number, window: { start: number; now: number }): RateLimitState {
    const resetAt = window.start + 60;
    if (hits > this.perMinute) {
      throw new RateLimitedError(
        Math.max(1, resetAt - window.now),
        `rate limit of ${this.perMinute} requests per minute exceeded`,
      );
    }
    return { limit: this.perMinute, remaining: this.perMinute - hits, resetAt };
  }

  /** Counts one hit on `bucket` (e.g. `ip:<address>` for public endpoints) and judges it. */
  async hit(bucket: string): Promise<RateLimitState> {
    const window = this.window();
    return this.check(await this.db.repos().rateLimits.hit(bucket, window.start), window);
  }

  async prune(): Promise<number> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    return this.db.repos().rateLimits.prune(nowSeconds - 120);
  }
}
