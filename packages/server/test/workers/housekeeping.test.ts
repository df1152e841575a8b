import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import type { TableUpkeep } from "../../src/ports.js";
import type { RateLimiter } from "../../src/services/rate-limiter.js";
import { startHousekeeping } from "../../src/workers/housekeeping.js";

describe("housekeeping", () => {
  it("prunes rate-limit windows and runs table upkeep each pass, logging what upkeep did, never two passes at once", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    let prunes = 0;
    let upkeeps = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const rateLimiter = {
      prune: async () => {
        prunes += 1;
        return 0;
      },
    } as unknown as RateLimiter;
    const db = {
      upkeep: async (): Promise<TableUpkeep[]> => {
        upkeeps += 1;
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        // Slower than the interval, as a VACUUM of a big table is.
        await new Promise((r) => setTimeout(r, 60));
        concurrent -= 1;
        return upkeeps === 1 ? [{ table: "public.invoice", action: "vacuum analyze", durationMs: 60 }] : [];
      },
    };
    const hk = startHousekeeping({ rateLimiter, db, logger: createLogger("info", sink), intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 300));
    await hk.stop();
    expect(upkeeps).toBeGreaterThanOrEqual(2);
    expect(prunes).toBe(upkeeps);
    expect(maxConcurrent).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.msg === "table upkeep")).toEqual([
      expect.objectContaining({ table: "public.invoice", action: "vacuum analyze", durationMs: 60 }),
    ]);
  });
});
