import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../src/domain/errors.js";
import type { Database } from "../../src/ports.js";
import { RateLimiter } from "../../src/services/rate-limiter.js";

/** One shared counter, as the rate_limit_counter table is for every process. */
function sharedCounter() {
  const counts = new Map<string, number>();
  const db = {
    repos: () => ({
      rateLimits: {
        async hit(bucket: string, windowStart: number, tokens = 1) {
          const k = `${bucket}@${windowStart}`;
          const n = (counts.get(k) ?? 0) + tokens;
          counts.set(k, n);
          return n;
        },
        async prune() {
          return 0;
        },
      },
    }),
  } as unknown as Database;
  return db;
}

async function serve(limiter: RateLimiter, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      await limiter.hit("key:1");
      ok++;
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
    }
  }
  return ok;
}

const clock = { now: () => new Date("2026-11-21T10:00:10Z") };

describe("rate limiter leases", () => {
  for (const [limit, chunk] of [
    [5, 1],
    [100, 2],
    [1000, 20],
    [10_000_000, 1000],
  ] as const) {
    it(`limit ${limit}: chunk ${chunk}, and two processes together never exceed the limit`, async () => {
      const db = sharedCounter();
      const a = new RateLimiter(db, clock, limit);
      const b = new RateLimiter(db, clock, limit);
      expect(a.chunk).toBe(chunk);
      const attempts = Math.min(limit * 2, 5000);
      const served = (await serve(a, attempts / 2)) + (await serve(b, attempts / 2));
      expect(served).toBeLessThanOrEqual(limit);
      // At most one unused lease per process is lost.
      expect(served).toBeGreaterThanOrEqual(Math.min(limit, attempts) - 2 * chunk);
    });
  }

  it("a process asks the database once per chunk, not per request", async () => {
    const db = sharedCounter();
    let calls = 0;
    const counted = {
      repos: () => ({
        rateLimits: {
          hit: async (b: string, w: number, t?: number) => {
            calls++;
            return db.repos().rateLimits.hit(b, w, t);
          },
        },
      }),
    } as unknown as Database;
    const limiter = new RateLimiter(counted, clock, 100_000);
    await serve(limiter, 1000);
    expect(calls).toBe(Math.ceil(1000 / limiter.chunk));
  });

  it("answers 429 with the seconds left in the window", async () => {
    const limiter = new RateLimiter(sharedCounter(), clock, 1);
    await limiter.hit("key:9");
    await expect(limiter.hit("key:9")).rejects.toMatchObject({ status: 429, retryAfterSeconds: 50 });
  });
});
