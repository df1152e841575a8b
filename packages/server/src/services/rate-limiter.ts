import { RateLimitedError } from "../domain/errors.js";
import type { Clock, Database } from "../ports.js";

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix seconds when the current window ends. */
  resetAt: number;
}

export interface RateWindow {
  start: number;
  now: number;
}

/**
 * Fixed one-minute windows counted in Postgres, so every server process on the same database shares
 * one budget per key and the limit is never exceeded (decision 0004).
 *
 * A process leases tokens in chunks: it adds `chunk` to the shared counter and may then serve that
 * many requests without asking again. With the default limit (100/min) the chunk is 2, so counting is
 * nearly per request; with a limit high enough for thousands of requests a second the chunk grows
 * (at most 1,000) and the database is asked once per chunk instead of on every request. Tokens a
 * process leased but did not use are lost when the window ends, so with several processes a key may
 * be refused slightly before its limit — never let through beyond it.
 */
export class RateLimiter {
  readonly chunk: number;
  private readonly leases = new Map<string, { window: number; tokens: number; counted: number }>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    readonly perMinute: number,
  ) {
    this.chunk = Math.min(1000, Math.max(1, Math.floor(perMinute / 50)));
  }

  /** The current one-minute window (unix seconds). */
  window(): RateWindow {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    return { start: now - (now % 60), now };
  }

  /** Serves one request from tokens this process already leased in `window`, or null when it has none. */
  take(bucket: string, window: RateWindow): RateLimitState | null {
    const lease = this.leases.get(bucket);
    if (!lease || lease.window !== window.start || lease.tokens === 0) return null;
    lease.tokens -= 1;
    return this.state(lease, window);
  }

  /**
   * Records a lease: `counted` is the shared counter after this process added `chunk` to it, so the
   * counter stood at `counted - chunk` before, and this process got what was left of the limit, at
   * most `chunk`. Serves the current request from it, or throws 429 when nothing was left.
   */
  granted(bucket: string, counted: number, window: RateWindow): RateLimitState {
    const tokens = Math.max(0, Math.min(this.chunk, this.perMinute - (counted - this.chunk)));
    if (tokens === 0) {
      this.leases.delete(bucket);
      throw new RateLimitedError(
        Math.max(1, window.start + 60 - window.now),
        `rate limit of ${this.perMinute} requests per minute exceeded`,
      );
    }
    const lease = { window: window.start, tokens: tokens - 1, counted };
    this.leases.set(bucket, lease);
    if (this.leases.size > 10_000) this.forgetOldWindows(window.start);
    return this.state(lease, window);
  }

  /** Counts one request on `bucket` (e.g. `ip:<address>` for public endpoints) and judges it. */
  async hit(bucket: string): Promise<RateLimitState> {
    const window = this.window();
    const served = this.take(bucket, window);
    if (served) return served;
    const counted = await this.db.repos().rateLimits.hit(bucket, window.start, this.chunk);
    return this.granted(bucket, counted, window);
  }

  async prune(): Promise<number> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    this.forgetOldWindows(nowSeconds - (nowSeconds % 60));
    return this.db.repos().rateLimits.prune(nowSeconds - 120);
  }

  private state(lease: { tokens: number; counted: number }, window: RateWindow): RateLimitState {
    return {
      limit: this.perMinute,
      remaining: Math.max(0, this.perMinute - lease.counted) + lease.tokens,
      resetAt: window.start + 60,
    };
  }

  private forgetOldWindows(current: number): void {
    for (const [bucket, lease] of this.leases) if (lease.window < current) this.leases.delete(bucket);
  }
}
