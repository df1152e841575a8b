import type { Logger } from "../logger.js";
import type { Clock, Database } from "../ports.js";
import { aggregateQuotes } from "../rates/aggregate.js";
import { fetchAllRates } from "../rates/fetch-rates.js";
import type { RateSource } from "../rates/rate-source.js";

export interface RateRefresherOptions {
  sources: RateSource[];
  currencies: string[];
  intervalSeconds: number;
  maxAgeSeconds: number;
  outlierPercent: number;
  minSources: number;
  timeoutMs: number;
}

/**
 * Fetches every source in parallel on an interval, aggregates, and stores the last good rates. Safe
 * with several processes: a process skips a round when the stored rates are younger than half an
 * interval (another process refreshed them), and the upsert never replaces a newer quote.
 */
export function startRateRefresher(db: Database, clock: Clock, logger: Logger, opts: RateRefresherOptions) {
  let running: Promise<void> | undefined;
  let stopped = false;

  async function refresh(force: boolean): Promise<void> {
    const now = clock.now();
    if (!force) {
      const newest = Math.max(0, ...(await db.repos().exchangeRates.all()).map((r) => r.fetchedAt.getTime()));
      if (now.getTime() - newest < (opts.intervalSeconds * 1000) / 2) return;
    }
    const { quotes, failures } = await fetchAllRates(opts.sources, opts.currencies, {
      timeoutMs: opts.timeoutMs,
      now: () => clock.now(),
    });
    for (const f of failures) logger.warn({ source: f.source, error: f.error }, "rate source failed");
    const { rates, rejected } = aggregateQuotes(quotes, {
      now,
      maxAgeSeconds: opts.maxAgeSeconds,
      outlierPercent: opts.outlierPercent,
      minSources: opts.minSources,
      configuredSources: opts.sources.length,
    });
    for (const r of rejected) logger.warn(r, "rate quote rejected");
    await db.repos().exchangeRates.upsert(
      rates.map((r) => ({
        currency: r.currency,
        rate: r.rate.toString(),
        sources: r.sources,
        quotedAt: r.at,
        fetchedAt: now,
      })),
    );
    logger.debug({ currencies: rates.map((r) => r.currency) }, "rates refreshed");
  }

  const tick = (force: boolean) => {
    if (stopped || running) return;
    running = refresh(force)
      .catch((err) => logger.warn({ err }, "rate refresh failed; keeping the last good rates"))
      .finally(() => {
        running = undefined;
      });
  };
  tick(true);
  const timer = setInterval(() => tick(false), opts.intervalSeconds * 1000);
  timer.unref();
  return {
    /** Resolves after the first refresh attempt (used at start so finalize has rates). */
    firstRound: () => running ?? Promise.resolve(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
