/**
 * Kraken spot REST API, "Get Ticker Information" (public, no key):
 *   GET https://api.kraken.com/0/public/Ticker?pair=XBTUSD,XBTEUR
 *   -> {"error": [], "result": {"XXBTZUSD": {"a": [...], "b": [...], "c": ["30303.20000", "0.00067643"], ...}}}
 * Documented at https://docs.kraken.com/api/docs/rest-api/get-ticker-information: `c` is the last trade
 * closed as [<price>, <lot volume>], prices are strings. Errors come in the `error` string array
 * ("EQuery:Unknown asset pair"), so it is checked even on HTTP 200.
 *
 * Result keys use Kraken's internal pair names, not the names we asked with: the old markets are
 * "XXBTZUSD"-style (X-prefixed crypto, Z-prefixed fiat), newer ones such as "XBTCHF" are not. We accept
 * both forms for each requested currency. The ticker carries no timestamp, so quotes are stamped with
 * the fetch time.
 */
import type { RateSource, SourceOptions, SourceQuote } from "../rate-source.js";
import { RateSourceError } from "../rate-source.js";
import { getJson, isRecord, positiveRate, requireSome } from "./http.js";

/** Fiat currencies Kraken lists BTC (XBT) spot markets in. */
export const KRAKEN_CURRENCIES: ReadonlySet<string> = new Set(["USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD"]);

export function krakenSource({
  baseUrl = "https://api.kraken.com",
  fetch = globalThis.fetch,
  now = () => new Date(),
}: SourceOptions = {}): RateSource {
  const name = "kraken";
  return {
    name,
    supports: (currency) => KRAKEN_CURRENCIES.has(currency),
    async fetchRates(currencies, signal) {
      const wanted = currencies.filter((c) => KRAKEN_CURRENCIES.has(c));
      if (wanted.length === 0) return [];
      const url = new URL(`${baseUrl}/0/public/Ticker`);
      url.searchParams.set("pair", wanted.map((c) => `XBT${c}`).join(","));
      const body = await getJson(name, fetch, url, signal);
      const at = now();
      if (!isRecord(body) || !Array.isArray(body.error)) {
        throw new RateSourceError(name, "response has no `error` array");
      }
      if (body.error.length > 0) throw new RateSourceError(name, `API error: ${body.error.join(", ")}`);
      if (!isRecord(body.result)) throw new RateSourceError(name, "response has no `result` object");
      const result = body.result;
      const quotes: SourceQuote[] = [];
      for (const currency of wanted) {
        const ticker = result[`XXBTZ${currency}`] ?? result[`XBT${currency}`];
        if (ticker === undefined) continue;
        const last = isRecord(ticker) && Array.isArray(ticker.c) ? ticker.c[0] : undefined;
        const rate = positiveRate(name, last, `XBT${currency} last trade price (c[0])`);
        quotes.push({ source: name, currency, rate, at });
      }
      return requireSome(name, quotes, wanted);
    },
  };
}
