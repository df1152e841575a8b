/**
 * CoinGecko API v3, "Coin Price by IDs" (public; a demo key is optional):
 *   GET https://api.coingecko.com/api/v3/simple/price?ids=bitcoin&vs_currencies=usd,eur&include_last_updated_at=true
 *   -> {"bitcoin": {"usd": 67187.3358936566, "eur": 61919.68, "last_updated_at": 1711356300}}
 * Documented at https://docs.coingecko.com/v3.0.1/reference/simple-price. Prices are JSON numbers with
 * up to ~15 digits; `parseJsonExact` (sources/http.ts) reads them from the response text, so no digit
 * is lost or invented by a double. `last_updated_at` (Unix seconds) is the quote time. Unsupported
 * vs_currencies are silently left out by CoinGecko, which we treat as "no quote".
 */
import type { RateSource, SourceOptions, SourceQuote } from "../rate-source.js";
import { RateSourceError } from "../rate-source.js";
import { getJson, isRecord, positiveRate, requireSome, unixSeconds } from "./http.js";

/** The fiat entries of CoinGecko's /simple/supported_vs_currencies that are current ISO 4217 codes. */
export const COINGECKO_CURRENCIES: ReadonlySet<string> = new Set(
  (
    "USD AED ARS AUD BDT BHD BMD BRL CAD CHF CLP CNY CZK DKK EUR GBP GEL HKD HUF IDR ILS INR JPY KRW KWD " +
    "LKR MMK MXN MYR NGN NOK NZD PHP PKR PLN RUB SAR SEK SGD THB TRY TWD UAH VND ZAR"
  ).split(" "),
);

export interface CoinGeckoOptions extends SourceOptions {
  /** Sent as `x-cg-demo-api-key`; the public endpoint also answers without one, at a lower rate limit. */
  apiKey?: string;
}

export function coingeckoSource({
  baseUrl = "https://api.coingecko.com",
  fetch = globalThis.fetch,
  apiKey,
}: CoinGeckoOptions = {}): RateSource {
  const name = "coingecko";
  return {
    name,
    supports: (currency) => COINGECKO_CURRENCIES.has(currency),
    async fetchRates(currencies, signal) {
      const wanted = currencies.filter((c) => COINGECKO_CURRENCIES.has(c));
      if (wanted.length === 0) return [];
      const url = new URL(`${baseUrl}/api/v3/simple/price`);
      url.searchParams.set("ids", "bitcoin");
      url.searchParams.set("vs_currencies", wanted.map((c) => c.toLowerCase()).join(","));
      url.searchParams.set("include_last_updated_at", "true");
      const headers: Record<string, string> = apiKey ? { "x-cg-demo-api-key": apiKey } : {};
      const body = await getJson(name, fetch, url, signal, headers);
      const bitcoin = isRecord(body) ? body.bitcoin : undefined;
      if (!isRecord(bitcoin)) throw new RateSourceError(name, "response has no `bitcoin` object");
      const at = unixSeconds(name, bitcoin.last_updated_at, "bitcoin.last_updated_at");
      const quotes: SourceQuote[] = [];
      for (const currency of wanted) {
        const key = currency.toLowerCase();
        if (bitcoin[key] === undefined) continue;
        quotes.push({ source: name, currency, rate: positiveRate(name, bitcoin[key], `bitcoin.${key}`), at });
      }
      return requireSome(name, quotes, wanted);
    },
  };
}
