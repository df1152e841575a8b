/**
 * A local stand-in for the five public rate APIs, on a loopback port, for tests and dev mode.
 *
 * Each source is served under `/<source>` + its real path with its real response shape (see the
 * headers of src/rates/sources/*.ts), so the real adapters run unchanged against `baseUrls[source]`.
 * Prices come from one base table plus a small fixed per-source spread, printed the way each API
 * prints them (Kraken 5 decimals, Bitstamp and mempool whole units, CoinGecko as JSON numbers).
 *
 * Knobs, per source, from code or over HTTP (`GET /_control`, `POST /_control/reset`,
 * `POST /_control/rates/USD {"value":"70000"}`, `POST /_control/sources/kraken {"errorStatus":503}`):
 * outlier (percent off the base), stale (timestamps in the past), HTTP error status, slowness, and a
 * truncated body. It never logs: dev mode prints its URL itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Decimal, divide, HALF_UP } from "../domain/decimal.js";

export const SIMULATED_SOURCES = ["kraken", "coinbase", "bitstamp", "coingecko", "mempool"] as const;
export type SimulatedSource = (typeof SIMULATED_SOURCES)[number];

export const DEFAULT_SIMULATED_RATES: Readonly<Record<string, string>> = {
  USD: "70862.71",
  EUR: "61919.68",
  GBP: "53545.32",
  CAD: "97583.60",
  // The rest of btpay's default BTPAY_RATE_CURRENCIES, so dev mode can price every one of them.
  CHF: "56012.40",
  AUD: "108214.55",
  JPY: "10598311",
};

/** Offset of each source from the base rate, in percent: close enough to agree, distinct enough to test a median. */
const SPREAD_PERCENT: Record<SimulatedSource, string> = {
  kraken: "0",
  coinbase: "0.04",
  bitstamp: "-0.03",
  coingecko: "0.06",
  mempool: "-0.05",
};
/** Decimals each API prints a BTC price with. */
const DECIMALS: Record<SimulatedSource, number> = { kraken: 5, coinbase: 2, bitstamp: 0, coingecko: 2, mempool: 0 };
/** Markets the real APIs have (null: every currency in the table). */
const MARKETS: Record<SimulatedSource, ReadonlySet<string> | null> = {
  kraken: new Set(["USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD"]),
  coinbase: null,
  bitstamp: new Set(["USD", "EUR", "GBP"]),
  coingecko: null,
  mempool: new Set(["USD", "EUR", "GBP", "CAD", "CHF", "AUD", "JPY"]),
};
/** Kraken's old markets have X/Z-prefixed result keys ("XXBTZUSD"), newer ones do not ("XBTCHF"). */
const KRAKEN_LEGACY = new Set(["USD", "EUR", "GBP", "CAD", "JPY"]);

interface Knobs {
  outlierPercent: Decimal;
  staleSeconds: number;
  errorStatus: number | null;
  slowMs: number;
  malformed: boolean;
}

export interface RateSimulator {
  url: string;
  /** Pass to `parseRateSources(..., { baseUrls })` or a source factory's `baseUrl`. */
  baseUrls: Record<SimulatedSource, string>;
  setRate(currency: string, value: string): void;
  setOutlier(source: string, percent: number | string): void;
  setStale(source: string, seconds: number): void;
  setError(source: string, httpStatus: number | null): void;
  setSlow(source: string, ms: number): void;
  setMalformed(source: string, malformed: boolean): void;
  reset(): void;
  /** The price `source` currently serves for `currency`, as a canonical decimal string. */
  quote(source: string, currency: string): string | undefined;
  close(): Promise<void>;
}

export async function startRateSimulator({ port = 0, host = "127.0.0.1" } = {}): Promise<RateSimulator> {
  let rates = new Map<string, Decimal>();
  const knobs = new Map<SimulatedSource, Knobs>();
  const closing = new AbortController();

  const sim = {
    setRate(currency: string, value: string) {
      if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`currency must be an upper-case ISO code, got "${currency}"`);
      const rate = Decimal.parse(String(value), "value");
      if (!rate.isPositive()) throw new Error("a base rate must be above zero (use setOutlier(source, -100) for 0)");
      rates.set(currency, rate);
    },
    setOutlier(source: string, percent: number | string) {
      knobsOf(source).outlierPercent = Decimal.from(percent, "outlierPercent");
    },
    setStale(source: string, seconds: number) {
      const name = sourceName(source);
      if (name === "kraken" || name === "coinbase") {
        throw new Error(`${name}'s response carries no timestamp, so it cannot be served stale`);
      }
      knobsOf(name).staleSeconds = whole(seconds, "seconds");
    },
    setError(source: string, httpStatus: number | null) {
      if (httpStatus !== null && (!Number.isInteger(httpStatus) || httpStatus < 400 || httpStatus > 599)) {
        throw new Error(`httpStatus must be 400-599 or null, got ${httpStatus}`);
      }
      knobsOf(source).errorStatus = httpStatus;
    },
    setSlow(source: string, ms: number) {
      knobsOf(source).slowMs = whole(ms, "ms");
    },
    setMalformed(source: string, malformed: boolean) {
      knobsOf(source).malformed = malformed === true;
    },
    reset() {
      rates = new Map(Object.entries(DEFAULT_SIMULATED_RATES).map(([c, v]) => [c, Decimal.parse(v)]));
      for (const name of SIMULATED_SOURCES) {
        knobs.set(name, {
          outlierPercent: Decimal.ZERO,
          staleSeconds: 0,
          errorStatus: null,
          slowMs: 0,
          malformed: false,
        });
      }
    },
    quote(source: string, currency: string): string | undefined {
      return served(sourceName(source), currency)?.toString();
    },
  };
  sim.reset();

  function knobsOf(source: string): Knobs {
    return knobs.get(sourceName(source))!;
  }

  /** Base x (1 + spread%) x (1 + outlier%), at the API's printed precision; undefined if no such market. */
  function served(source: SimulatedSource, currency: string): Decimal | undefined {
    const base = rates.get(currency);
    const markets = MARKETS[source];
    if (base === undefined || (markets !== null && !markets.has(currency))) return undefined;
    const hundred = Decimal.fromUnits(100n, 0);
    const factor = hundred.add(Decimal.parse(SPREAD_PERCENT[source])).mul(hundred.add(knobsOf(source).outlierPercent));
    return divide(base.mul(factor), Decimal.fromUnits(10_000n, 0), DECIMALS[source], HALF_UP);
  }

  function timestamp(source: SimulatedSource): number {
    return Math.floor(Date.now() / 1000) - knobsOf(source).staleSeconds;
  }

  /** Each API's real path and body; `text` is raw JSON so number tokens are printed exactly. */
  function route(source: SimulatedSource, path: string, query: URLSearchParams): { status: number; text: string } {
    const price = (c: string) => served(source, c)!.format(DECIMALS[source]);
    const offered = () => [...rates.keys()].filter((c) => served(source, c) !== undefined);
    const json = (body: unknown, status = 200) => ({ status, text: JSON.stringify(body) });
    if (source === "kraken" && path === "/0/public/Ticker") {
      const pairs = query.get("pair")?.split(",") ?? offered().map((c) => `XBT${c}`);
      const result: Record<string, unknown> = {};
      for (const pair of pairs) {
        const currency = /^(?:XBT|XXBTZ|BTC)([A-Z]{3})$/.exec(pair)?.[1];
        if (currency === undefined || served(source, currency) === undefined) {
          return json({ error: ["EQuery:Unknown asset pair"] });
        }
        const p = price(currency);
        result[KRAKEN_LEGACY.has(currency) ? `XXBTZ${currency}` : `XBT${currency}`] = {
          ...{ a: [p, "1", "1.000"], b: [p, "1", "1.000"], c: [p, "0.00100000"], v: ["12.5", "250.25"] },
          ...{ p: [p, p], t: [1000, 20000], l: [p, p], h: [p, p], o: p },
        };
      }
      return json({ error: [], result });
    }
    if (source === "coinbase" && path === "/v2/exchange-rates") {
      if (query.get("currency") !== "BTC") {
        return json({ errors: [{ id: "invalid_request", message: "the simulator quotes currency=BTC only" }] }, 400);
      }
      return json({ data: { currency: "BTC", rates: Object.fromEntries(offered().map((c) => [c, price(c)])) } });
    }
    const pair = /^\/api\/v2\/ticker\/btc([a-z]{3})\/?$/.exec(path)?.[1]?.toUpperCase();
    if (source === "bitstamp" && pair !== undefined && served(source, pair) !== undefined) {
      const p = price(pair);
      const ticker = { timestamp: String(timestamp(source)), open: p, high: p, low: p, last: p, volume: "1234.5" };
      return json({ ...ticker, vwap: p, bid: p, ask: p, side: "0", open_24: p, percent_change_24: "0.00" });
    }
    if (source === "coingecko" && path === "/api/v3/simple/price") {
      const wanted = (query.get("vs_currencies") ?? "").split(",").map((c) => c.toUpperCase());
      if (!query.get("ids")?.split(",").includes("bitcoin")) return { status: 200, text: "{}" };
      const fields = wanted
        .filter((c) => served(source, c) !== undefined)
        .map((c) => `"${c.toLowerCase()}":${price(c)}`);
      if (query.get("include_last_updated_at") === "true") fields.push(`"last_updated_at":${timestamp(source)}`);
      return { status: 200, text: `{"bitcoin":{${fields.join(",")}}}` };
    }
    if (source === "mempool" && path === "/api/v1/prices") {
      const fields = offered().map((c) => `"${c}":${price(c)}`);
      return { status: 200, text: `{"time":${timestamp(source)},${fields.join(",")}}` };
    }
    return json({ error: `the ${source} simulator does not serve ${path}` }, 404);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator");
    const [, first = "", ...rest] = url.pathname.split("/");
    if (first === "_control") return control(req, res, rest);
    if (!(SIMULATED_SOURCES as readonly string[]).includes(first)) {
      return send(res, 404, { error: `unknown source; use /${SIMULATED_SOURCES.join(", /")}` });
    }
    const source = first as SimulatedSource;
    const { slowMs, errorStatus, malformed } = knobsOf(source);
    if (slowMs > 0) await sleep(slowMs, undefined, { signal: closing.signal });
    if (errorStatus !== null) return send(res, errorStatus, `simulated ${source} failure`);
    const { status, text } = route(source, `/${rest.join("/")}`, url.searchParams);
    // Malformed = cut off mid-body, as a dropped connection or a broken proxy would deliver it.
    send(res, status, malformed && status === 200 ? text.slice(0, Math.ceil(text.length / 2)) : text);
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string[]): Promise<void> {
    const [kind, key] = path;
    if (req.method === "POST") {
      const body = await readBody(req);
      if (kind === "reset") sim.reset();
      else if (kind === "rates" && key) sim.setRate(key.toUpperCase(), String(body.value));
      else if (kind === "sources" && key) {
        if (body.outlierPercent !== undefined) sim.setOutlier(key, body.outlierPercent as number);
        if (body.staleSeconds !== undefined) sim.setStale(key, body.staleSeconds as number);
        if (body.errorStatus !== undefined) sim.setError(key, body.errorStatus as number | null);
        if (body.slowMs !== undefined) sim.setSlow(key, body.slowMs as number);
        if (body.malformed !== undefined) sim.setMalformed(key, body.malformed as boolean);
      } else
        return send(res, 404, {
          error: "POST /_control/reset, /_control/rates/:currency or /_control/sources/:source",
        });
    } else if (req.method !== "GET" || path.length > 0) return send(res, 404, { error: "GET /_control for the state" });
    const sources = Object.fromEntries(
      SIMULATED_SOURCES.map((s) => [s, { ...knobsOf(s), outlierPercent: knobsOf(s).outlierPercent.toString() }]),
    );
    send(res, 200, { rates: Object.fromEntries([...rates].map(([c, r]) => [c, r.toString()])), sources });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted) return res.destroy();
      send(res, 400, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  const baseUrls = Object.fromEntries(SIMULATED_SOURCES.map((s) => [s, `${url}/${s}`])) as Record<
    SimulatedSource,
    string
  >;

  return {
    url,
    baseUrls,
    ...sim,
    async close() {
      closing.abort(); // wakes slow handlers so they do not keep sockets open
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function sourceName(source: string): SimulatedSource {
  if ((SIMULATED_SOURCES as readonly string[]).includes(source)) return source as SimulatedSource;
  throw new Error(`unknown source "${source}"; the simulator serves ${SIMULATED_SOURCES.join(", ")}`);
}

function whole(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a whole number >= 0, got ${value}`);
  return value;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return; // the client gave up (e.g. timed out) while we were slow
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" && !/^[[{]/.test(body) ? "text/plain" : "application/json";
  res.writeHead(status, { "content-type": `${type}; charset=utf-8`, "cache-control": "no-store" }).end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error("control request body too large");
  }
  if (text.trim() === "") return {};
  const body: unknown = JSON.parse(text);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("body must be a JSON object");
  return body as Record<string, unknown>;
}
