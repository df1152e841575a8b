/**
 * Turns the configured source list (e.g. `BTPAY_RATE_SOURCES="kraken,coinbase,bitstamp"`) into adapters.
 * `baseUrls` overrides a source's API root; dev mode and tests point every source at the rate
 * simulator this way (`startRateSimulator().baseUrls` has exactly this shape).
 */
import { RateConfigError, type RateSource, type SourceOptions } from "./rate-source.js";
import { bitstampSource } from "./sources/bitstamp.js";
import { coinbaseSource } from "./sources/coinbase.js";
import { coingeckoSource } from "./sources/coingecko.js";
import { krakenSource } from "./sources/kraken.js";
import { mempoolSource } from "./sources/mempool.js";

const FACTORIES = {
  kraken: krakenSource,
  coinbase: coinbaseSource,
  bitstamp: bitstampSource,
  coingecko: coingeckoSource,
  mempool: mempoolSource,
} satisfies Record<string, (options: SourceOptions) => RateSource>;

export type RateSourceName = keyof typeof FACTORIES;
export const RATE_SOURCE_NAMES = Object.keys(FACTORIES) as RateSourceName[];

export interface RateSourcesOptions {
  /** Per-source API root, keyed by source name. */
  baseUrls?: Partial<Record<string, string>>;
  fetch?: typeof globalThis.fetch;
  /** CoinGecko demo API key (optional). */
  coingeckoApiKey?: string;
}

export function isRateSourceName(name: string): name is RateSourceName {
  return Object.hasOwn(FACTORIES, name);
}

/** "kraken, Coinbase" -> adapters, in the listed order. Unknown, duplicate or no names are refused. */
export function parseRateSources(list: string, options: RateSourcesOptions = {}): RateSource[] {
  const names = list
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
  const valid = RATE_SOURCE_NAMES.join(", ");
  if (names.length === 0) throw new RateConfigError(`no rate sources listed; choose from ${valid}`);
  for (const name of Object.keys(options.baseUrls ?? {})) {
    if (!isRateSourceName(name)) throw new RateConfigError(`base URL given for unknown rate source "${name}"`);
  }
  const seen = new Set<string>();
  return names.map((name) => {
    if (!isRateSourceName(name)) throw new RateConfigError(`unknown rate source "${name}"; valid sources: ${valid}`);
    if (seen.has(name)) throw new RateConfigError(`rate source "${name}" is listed twice`);
    seen.add(name);
    const base: SourceOptions = {};
    const baseUrl = options.baseUrls?.[name];
    if (baseUrl !== undefined) base.baseUrl = checkBaseUrl(name, baseUrl);
    if (options.fetch) base.fetch = options.fetch;
    if (name === "coingecko" && options.coingeckoApiKey) {
      return coingeckoSource({ ...base, apiKey: options.coingeckoApiKey });
    }
    return FACTORIES[name](base);
  });
}

function checkBaseUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RateConfigError(`base URL for ${name} is not a URL: "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new RateConfigError(`base URL for ${name} must be http(s), got "${raw}"`);
  }
  // Adapters append their API path, so a trailing slash would double up.
  return raw.replace(/\/+$/, "");
}
