import type { Logger } from "../logger.js";
import type { Database } from "../ports.js";
import type { RateLimiter } from "../services/rate-limiter.js";

/**
 * Periodic clean-up that is safe to run in every process at once (deletes are idempotent): drops
 * rate-limit windows that have ended, and on the embedded database vacuums and analyzes what
 * autovacuum would (it has none; `Database.upkeep`). Nothing is only recorded here; missing a run
 * costs a few rows.
 */
export function startHousekeeping(deps: {
  rateLimiter: RateLimiter;
  db: Pick<Database, "upkeep">;
  logger: Logger;
  intervalMs?: number;
}) {
  let running: Promise<void> | undefined;
  const pass = async () => {
    const n = await deps.rateLimiter.prune();
    if (n > 0) deps.logger.debug({ pruned: n }, "rate-limit windows pruned");
    for (const done of (await deps.db.upkeep?.()) ?? []) deps.logger.info(done, "table upkeep");
  };
  const tick = () => {
    if (running) return; // a long VACUUM is still going: skip this tick rather than queue another
    running = pass()
      .catch((err) => deps.logger.warn({ err }, "housekeeping failed; will retry"))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, deps.intervalMs ?? 60_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
