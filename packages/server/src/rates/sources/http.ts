/**
 * The HTTP and parsing helpers the five adapters share.
 *
 * Exactness: `JSON.parse` turns 70862.7123456789012 into a double and silently drops digits, and
 * Node 20's JSON.parse cannot hand us the source text of a number. So `parseJsonExact` first validates
 * the body with JSON.parse, then re-parses it with every number token quoted, which gives each number as
 * the exact digits the API sent; `Decimal.parse` then reads them. Sources that already send strings
 * (Kraken, Coinbase, Bitstamp) are unaffected; CoinGecko and mempool.space send JSON numbers.
 */
import { Decimal } from "../../domain/decimal.js";
import { bodySnippet, errorDetail } from "../../net/response-text.js";
import { RateSourceError } from "../rate-source.js";

/** Responses larger than this are refused: the biggest real one (Coinbase, ~700 currencies) is ~25 KB. */
const MAX_BODY_CHARS = 1_000_000;

export type Json = null | boolean | string | Json[] | { [key: string]: Json };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** GET `url` and return its JSON body with numbers as strings; every failure names the source. */
export async function getJson(
  source: string,
  fetchImpl: typeof globalThis.fetch,
  url: URL,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<Json> {
  // Only the path goes into messages: query strings may one day carry keys, and logs must not.
  const where = `${url.origin}${url.pathname}`;
  let text: string;
  let status: number;
  try {
    const response = await fetchImpl(url, { signal, headers: { accept: "application/json", ...headers } });
    status = response.status;
    text = await response.text();
  } catch (error) {
    throw new RateSourceError(source, `GET ${where} failed: ${errorDetail(error)}`);
  }
  if (status < 200 || status > 299) {
    throw new RateSourceError(source, `GET ${where} answered HTTP ${status}${bodySnippet(text)}`);
  }
  if (text.length > MAX_BODY_CHARS) {
    throw new RateSourceError(source, `GET ${where} returned ${text.length} characters, more than a rate response`);
  }
  try {
    return parseJsonExact(text);
  } catch {
    throw new RateSourceError(source, `GET ${where} returned a body that is not valid JSON${bodySnippet(text)}`);
  }
}

/** JSON.parse, except every number comes back as the string of digits written in `text`. */
export function parseJsonExact(text: string): Json {
  JSON.parse(text); // throws on invalid JSON, so the rewrite below only ever sees well-formed input
  let out = "";
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy the whole string literal, skipping escaped characters (\" must not end it).
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j]!)) j++;
      out += `"${text.slice(i, j)}"`;
      i = j;
    } else {
      out += ch;
      i++;
    }
  }
  return JSON.parse(out) as Json;
}

/** A price field: a decimal string (or a number token, as parseJsonExact delivers it) above zero. */
export function positiveRate(source: string, value: unknown, what: string): Decimal {
  let rate: Decimal;
  try {
    if (typeof value !== "string") throw new Error("not a string");
    rate = Decimal.parse(value);
  } catch {
    throw new RateSourceError(source, `${what} is not a decimal price (got ${show(value)})`);
  }
  if (!rate.isPositive()) throw new RateSourceError(source, `${what} must be above zero (got ${show(value)})`);
  return rate;
}

/** A Unix timestamp in whole seconds, given as a string or a number token. */
export function unixSeconds(source: string, value: unknown, what: string): Date {
  if (typeof value !== "string" || !/^[0-9]{1,12}$/.test(value)) {
    throw new RateSourceError(source, `${what} is not a Unix timestamp (got ${show(value)})`);
  }
  return new Date(Number(value) * 1000);
}

/** Throws when none of the requested currencies came back: an empty answer is a broken source. */
export function requireSome<T>(source: string, quotes: T[], requested: readonly string[]): T[] {
  if (requested.length > 0 && quotes.length === 0) {
    throw new RateSourceError(source, `response has no rate for ${requested.join(", ")}`);
  }
  return quotes;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
