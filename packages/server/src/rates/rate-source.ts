/**
 * What every exchange-rate adapter implements, and the errors the rates module throws.
 *
 * A rate is always "fiat per 1 BTC" as an exact Decimal: adapters read the price from the text the
 * API sent (see sources/http.ts), never through a JS number. One source failing is normal; it throws a
 * RateSourceError naming itself, and `fetchAllRates` turns that into a reported failure so the other
 * sources still count.
 */
import type { Decimal } from "../domain/decimal.js";

export interface SourceQuote {
  /** The adapter's name, e.g. "kraken". */
  source: string;
  /** Upper-case ISO 4217 code, e.g. "USD". */
  currency: string;
  /** Fiat units per 1 BTC; always positive. */
  rate: Decimal;
  /** When the exchange says the price was current; the fetch time when its API gives no timestamp. */
  at: Date;
}

export interface RateSource {
  readonly name: string;
  /** True for the upper-case fiat codes this source can quote against BTC. */
  supports(currency: string): boolean;
  /**
   * Quotes for the requested codes it supports. A requested code the response lacks is left out (the
   * aggregator then sees one source fewer); an HTTP error, a malformed body, a non-positive price, or a
   * response with none of the requested codes throws a RateSourceError.
   */
  fetchRates(currencies: readonly string[], signal: AbortSignal): Promise<SourceQuote[]>;
}

/** Options every source factory accepts: tests and dev mode point `baseUrl` at the simulator. */
export interface SourceOptions {
  baseUrl?: string;
  fetch?: typeof globalThis.fetch;
  /** Fetch time for APIs without timestamps; injectable so tests are deterministic. */
  now?: () => Date;
}

/** A source's request or response was unusable. The message always starts with the source name. */
export class RateSourceError extends Error {
  constructor(
    readonly source: string,
    detail: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = "RateSourceError";
  }
}

/** Bad rate configuration (source list, fixed rates): a startup problem, not an HTTP 400. */
export class RateConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RateConfigError";
  }
}
