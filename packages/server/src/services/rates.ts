import { ValidationError } from "../domain/errors.js";
import type { Clock, Database, Repositories, StoredRate } from "../ports.js";

export interface RateQuote {
  currency: string;
  /** Fiat per 1 BTC, exact decimal string. */
  rate: string;
  sources: string[];
  /** When the sources quoted it. */
  at: Date;
}

/**
 * Current BTC rates: the fixed table when one is configured, else the last good aggregated rates the
 * refresher stored, minus any older than the staleness limit (a stale rate is no rate: finalize
 * refuses rather than price an invoice on it).
 */
export class RateService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly opts: { fixed: RateQuote[] | null; maxAgeSeconds: number },
  ) {}

  async current(): Promise<RateQuote[]> {
    if (this.opts.fixed) return this.opts.fixed;
    const oldest = this.clock.now().getTime() - this.opts.maxAgeSeconds * 1000;
    return (await this.db.repos().exchangeRates.all()).filter((r) => r.quotedAt.getTime() >= oldest).map(toQuote);
  }

  /**
   * The fresh rate for `currency`, or a 400 that says why there is none. Pass the caller's
   * transaction's repositories: with a one-connection pool a second connection would never come.
   */
  async quote(currency: string, repos: Repositories = this.db.repos()): Promise<RateQuote> {
    if (this.opts.fixed) {
      const fixed = this.opts.fixed.find((r) => r.currency === currency);
      if (!fixed) throw new ValidationError(`no ${currency} exchange rate is configured (BTPAY_RATES_FIXED)`);
      return fixed;
    }
    const stored = (await repos.exchangeRates.all()).find((r) => r.currency === currency);
    if (!stored) {
      throw new ValidationError(
        `no ${currency} exchange rate is available yet from the configured sources; try again shortly`,
      );
    }
    const ageSeconds = Math.floor((this.clock.now().getTime() - stored.quotedAt.getTime()) / 1000);
    if (ageSeconds > this.opts.maxAgeSeconds) {
      throw new ValidationError(
        `the ${currency} exchange rate is ${ageSeconds} s old (limit ${this.opts.maxAgeSeconds} s); refusing to price an invoice on a stale rate`,
      );
    }
    return toQuote(stored);
  }
}

const toQuote = (r: StoredRate): RateQuote => ({
  currency: r.currency,
  rate: r.rate,
  sources: r.sources,
  at: r.quotedAt,
});
