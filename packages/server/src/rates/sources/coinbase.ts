/**
 * Coinbase Data API, "Get Exchange Rates" (public, no key):
 *   GET https://api.coinbase.com/v2/exchange-rates?currency=BTC
 *   -> {"data": {"currency": "BTC", "rates": {"USD": "70862.71", "EUR": "61919.68", ...}}}
 * Documented at https://docs.cdp.coinbase.com/coinbase-app/track-apis/exchange-rates: rates are for one
 * unit of the base currency (so BTC -> fiat per 1 BTC), as strings, for every currency Coinbase
 * supports (fiat and crypto alike; we only read the fiat codes asked for). No timestamp in the
 * response: quotes are stamped with the fetch time.
 */
import { isKnownCurrency } from "../../domain/currency.js";
import type { RateSource, SourceOptions, SourceQuote } from "../rate-source.js";
import { RateSourceError } from "../rate-source.js";
import { getJson, isRecord, positiveRate, requireSome } from "./http.js";

export function coinbaseSource({
  baseUrl = "https://api.coinbase.com",
  fetch = globalThis.fetch,
  now = () => new Date(),
}: SourceOptions = {}): RateSource {
  const name = "coinbase";
  // Coinbase quotes (nearly) every ISO currency; a code it lacks is simply absent from `rates`.
  const supports = (currency: string) => isKnownCurrency(currency);
  return {
    name,
    supports,
    async fetchRates(currencies, signal) {
      const wanted = currencies.filter(supports);
      if (wanted.length === 0) return [];
      const url = new URL(`${baseUrl}/v2/exchange-rates`);
      url.searchParams.set("currency", "BTC");
      const body = await getJson(name, fetch, url, signal);
      const at = now();
      const data = isRecord(body) ? body.data : undefined;
      if (!isRecord(data) || !isRecord(data.rates))
        throw new RateSourceError(name, "response has no data.rates object");
      if (data.currency !== "BTC") {
        throw new RateSourceError(name, `rates are for ${JSON.stringify(data.currency)}, expected "BTC"`);
      }
      const rates = data.rates;
      const quotes: SourceQuote[] = [];
      for (const currency of wanted) {
        if (rates[currency] === undefined) continue;
        quotes.push({
          source: name,
          currency,
          rate: positiveRate(name, rates[currency], `data.rates.${currency}`),
          at,
        });
      }
      return requireSome(name, quotes, wanted);
    },
  };
}
