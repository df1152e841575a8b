import type { Logger } from "../logger.js";
import type { RateLimiter } from "../services/rate-limiter.js";

/**
 * Periodic clean-up that is safe to run in every process at once (deletes are idempotent): drops
 * rate-limit windows that have ended. Nothing is only recorded here; missing a run costs a few rows.
 */
export function startHousekeeping(deps: { rateLimiter: RateLimiter; logger: Logger; intervalMs?: number }) {
  let running: Promise<void> | undefined;
  const tick = () => {
    running = deps.rateLimiter
      .prune()
      .then((n) => {
        if (n > 0) deps.logger.debug({ pruned: n }, "rate-limit windows pruned");
      })
      .catch((err) => deps.logger.warn({ err }, "housekeeping failed; will retry"));
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
