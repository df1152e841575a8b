/**
 * Bitstamp HTTP API v2, ticker (public, no key), one request per market:
 *   GET https://www.bitstamp.net/api/v2/ticker/btcusd/
 *   -> {"timestamp": "1523543610", "last": "7675.00", "bid": "...", "ask": "...", "open": "...", ...}
 * Documented at https://www.bitstamp.net/api/ (ticker: `last` = last BTC price, `timestamp` = Unix
 * timestamp; every field a string). The markets are queried in parallel; any one failing fails the
 * source, because a broken market usually means a broken API.
 */
import type { RateSource, SourceOptions, SourceQuote } from "../rate-source.js";
import { RateSourceError } from "../rate-source.js";
import { getJson, isRecord, positiveRate, unixSeconds } from "./http.js";

/** Fiat currencies Bitstamp has a btc<fiat> market in. */
export const BITSTAMP_CURRENCIES: ReadonlySet<string> = new Set(["USD", "EUR", "GBP"]);

export function bitstampSource({
  baseUrl = "https://www.bitstamp.net",
  fetch = globalThis.fetch,
}: SourceOptions = {}): RateSource {
  const name = "bitstamp";
  return {
    name,
    supports: (currency) => BITSTAMP_CURRENCIES.has(currency),
    async fetchRates(currencies, signal) {
      const wanted = currencies.filter((c) => BITSTAMP_CURRENCIES.has(c));
      return Promise.all(
        wanted.map(async (currency): Promise<SourceQuote> => {
          const pair = `btc${currency.toLowerCase()}`;
          const body = await getJson(name, fetch, new URL(`${baseUrl}/api/v2/ticker/${pair}/`), signal);
          if (!isRecord(body)) throw new RateSourceError(name, `${pair} ticker is not an object`);
          return {
            source: name,
            currency,
            rate: positiveRate(name, body.last, `${pair} last`),
            at: unixSeconds(name, body.timestamp, `${pair} timestamp`),
          };
        }),
      );
    },
  };
}
