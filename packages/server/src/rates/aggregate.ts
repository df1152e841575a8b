/**
 * Combines the quotes of several sources into one rate per currency. Pure: no clock, no I/O.
 *
 * Per currency:
 *  1. drop duplicates (a source counts once: its newest quote) and quotes older than `maxAgeSeconds`
 *     (a stale rate must not price an invoice; better no rate than an old one);
 *  2. take the median, and reject every quote more than `outlierPercent` away from it (one broken or
 *     manipulated source cannot move the price, and the median itself is robust to it);
 *  3. the median of the survivors is the rate, provided at least `minSources` of them agree (when two or
 *     more sources are configured; a single configured source needs only itself).
 * Every input quote ends up either in a rate's `sources` or in `rejected`, with the reason.
 *
 * The median of an odd count is the middle quote, exactly; of an even count, the mean of the two middle
 * quotes rounded HALF_UP to 8 decimals (more than any fiat needs, and a bounded scale for storage).
 */
import { Decimal, divide, HALF_UP } from "../domain/decimal.js";
import type { SourceQuote } from "./rate-source.js";

export const DEFAULT_OUTLIER_PERCENT = 2;
export const DEFAULT_MIN_SOURCES = 2;
/** Decimals of an even-count median. */
export const MEDIAN_SCALE = 8;

export interface AggregatedRate {
  currency: string;
  /** Fiat per 1 BTC. */
  rate: Decimal;
  /** The sources that agreed, sorted by name. */
  sources: string[];
  /** The oldest of the agreeing quotes: a rate is only as fresh as its stalest input. */
  at: Date;
}

export type RejectionKind = "duplicate" | "invalid" | "stale" | "outlier" | "insufficient_sources";

export interface RejectedQuote {
  source: string;
  currency: string;
  kind: RejectionKind;
  /** For logs and the admin: what was wrong, with the numbers. */
  reason: string;
}

export interface AggregateOptions {
  now: Date;
  maxAgeSeconds: number;
  /** Default 2 (%). */
  outlierPercent?: number;
  /** Agreeing sources a currency needs when `configuredSources >= 2`. Default 2. */
  minSources?: number;
  /** How many sources the deployment has configured (not how many answered). */
  configuredSources: number;
}

export interface AggregateResult {
  /** Sorted by currency. */
  rates: AggregatedRate[];
  rejected: RejectedQuote[];
}

export function aggregateQuotes(quotes: readonly SourceQuote[], opts: AggregateOptions): AggregateResult {
  const outlierPercent = Decimal.fromNumber(opts.outlierPercent ?? DEFAULT_OUTLIER_PERCENT, "outlierPercent");
  if (outlierPercent.isNegative()) throw new RangeError("outlierPercent must not be negative");
  const minSources = opts.minSources ?? DEFAULT_MIN_SOURCES;
  if (!Number.isInteger(minSources) || minSources < 1) throw new RangeError("minSources must be a whole number >= 1");
  const required = opts.configuredSources >= 2 ? minSources : 1;

  const byCurrency = new Map<string, SourceQuote[]>();
  for (const quote of quotes) {
    const list = byCurrency.get(quote.currency) ?? [];
    list.push(quote);
    byCurrency.set(quote.currency, list);
  }

  const rates: AggregatedRate[] = [];
  const rejected: RejectedQuote[] = [];
  const reject = (q: SourceQuote, kind: RejectionKind, reason: string) =>
    rejected.push({ source: q.source, currency: q.currency, kind, reason });

  for (const currency of [...byCurrency.keys()].sort()) {
    const fresh: SourceQuote[] = [];
    for (const quote of newestPerSource(byCurrency.get(currency)!, reject)) {
      const ageSeconds = (opts.now.getTime() - quote.at.getTime()) / 1000;
      if (!quote.rate.isPositive()) reject(quote, "invalid", `rate ${quote.rate} is not above zero`);
      else if (ageSeconds > opts.maxAgeSeconds) {
        reject(quote, "stale", `quote is ${Math.floor(ageSeconds)} s old, the limit is ${opts.maxAgeSeconds} s`);
      } else fresh.push(quote);
    }
    if (fresh.length === 0) continue;

    const first = median(fresh.map((q) => q.rate));
    const agreeing = fresh.filter((quote) => {
      // |rate - median| * 100 > percent * median, in exact arithmetic.
      const deviation = quote.rate.sub(first).abs().mul(Decimal.fromUnits(100n, 0));
      if (deviation.compare(outlierPercent.mul(first)) <= 0) return true;
      const percent = divide(quote.rate.sub(first).abs().mul(Decimal.fromUnits(100n, 0)), first, 2, HALF_UP);
      reject(quote, "outlier", `rate ${quote.rate} is ${percent.format(2)}% from the median ${first}`);
      return false;
    });

    if (agreeing.length < required) {
      for (const quote of agreeing) {
        reject(
          quote,
          "insufficient_sources",
          `${agreeing.length} of the ${required} agreeing sources required for ${currency}`,
        );
      }
      continue;
    }
    rates.push({
      currency,
      rate: median(agreeing.map((q) => q.rate)),
      sources: agreeing.map((q) => q.source).sort(),
      at: new Date(Math.min(...agreeing.map((q) => q.at.getTime()))),
    });
  }
  return { rates, rejected };
}

/** Keeps each source's newest quote; a source must not vote twice. */
function newestPerSource(
  quotes: SourceQuote[],
  reject: (q: SourceQuote, kind: RejectionKind, reason: string) => void,
): SourceQuote[] {
  const kept = new Map<string, SourceQuote>();
  for (const quote of quotes) {
    const other = kept.get(quote.source);
    if (other === undefined) {
      kept.set(quote.source, quote);
      continue;
    }
    const [newer, older] = quote.at.getTime() > other.at.getTime() ? [quote, other] : [other, quote];
    kept.set(quote.source, newer);
    reject(older, "duplicate", `${quote.source} quoted ${quote.currency} more than once; the newest quote counts`);
  }
  return [...kept.values()];
}

/** Exact middle value, or the HALF_UP mean of the two middle values at MEDIAN_SCALE. `values` non-empty. */
export function median(values: readonly Decimal[]): Decimal {
  const sorted = [...values].sort((a, b) => a.compare(b));
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return divide(sorted[mid - 1]!.add(sorted[mid]!), Decimal.fromUnits(2n, 0), MEDIAN_SCALE, HALF_UP);
}
