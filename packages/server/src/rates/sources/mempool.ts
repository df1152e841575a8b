/**
 * mempool.space REST API, "GET Price" (public, no key; also served by self-hosted mempool instances):
 *   GET https://mempool.space/api/v1/prices
 *   -> {"time": 1703252411, "USD": 43753, "EUR": 40545, "GBP": 37528, "CAD": 58123, "CHF": 37438,
 *       "AUD": 64499, "JPY": 6218915}
 * Documented at https://mempool.space/docs/api/rest#get-price (example from the docs data in the
 * mempool/mempool repository). Prices are whole-unit JSON numbers, read from the response text by
 * `parseJsonExact`; `time` (Unix seconds) is the quote time. Newer deployments list more currencies;
 * we rely on the seven every instance serves.
 */
import type { RateSource, SourceOptions, SourceQuote } from "../rate-source.js";
import { RateSourceError } from "../rate-source.js";
import { getJson, isRecord, positiveRate, requireSome, unixSeconds } from "./http.js";

export const MEMPOOL_CURRENCIES: ReadonlySet<string> = new Set(["USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY"]);

export function mempoolSource({
  baseUrl = "https://mempool.space",
  fetch = globalThis.fetch,
}: SourceOptions = {}): RateSource {
  const name = "mempool";
  return {
    name,
    supports: (currency) => MEMPOOL_CURRENCIES.has(currency),
    async fetchRates(currencies, signal) {
      const wanted = currencies.filter((c) => MEMPOOL_CURRENCIES.has(c));
      if (wanted.length === 0) return [];
      const body = await getJson(name, fetch, new URL(`${baseUrl}/api/v1/prices`), signal);
      if (!isRecord(body)) throw new RateSourceError(name, "response is not an object");
      const at = unixSeconds(name, body.time, "time");
      const quotes: SourceQuote[] = [];
      for (const currency of wanted) {
        if (body[currency] === undefined) continue;
        quotes.push({ source: name, currency, rate: positiveRate(name, body[currency], currency), at });
      }
      return requireSome(name, quotes, wanted);
    },
  };
}
