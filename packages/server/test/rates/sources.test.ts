import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/decimal.js";
import { aggregateQuotes } from "../../src/rates/aggregate.js";
import { parseRateSources, RATE_SOURCE_NAMES } from "../../src/rates/config.js";
import { fetchAllRates } from "../../src/rates/fetch-rates.js";
import { RateConfigError, type RateSource, RateSourceError } from "../../src/rates/rate-source.js";
import { bitstampSource } from "../../src/rates/sources/bitstamp.js";
import { coinbaseSource } from "../../src/rates/sources/coinbase.js";
import { coingeckoSource } from "../../src/rates/sources/coingecko.js";
import { parseJsonExact } from "../../src/rates/sources/http.js";
import { krakenSource } from "../../src/rates/sources/kraken.js";
import { mempoolSource } from "../../src/rates/sources/mempool.js";
import { type RateSimulator, startRateSimulator } from "../../src/simulators/rate-simulator.js";

let sim: RateSimulator;
beforeAll(async () => {
  sim = await startRateSimulator();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const CURRENCIES = ["USD", "EUR", "GBP", "CAD"];
const sources = (): RateSource[] => parseRateSources(RATE_SOURCE_NAMES.join(","), { baseUrls: sim.baseUrls });
const signal = () => AbortSignal.timeout(5000);
/** A fetch that answers every request with `body`, for shapes the simulator never produces. */
const answer =
  (body: string, status = 200): typeof fetch =>
  async () =>
    new Response(body, { status });

describe("source adapters against the simulator", () => {
  // Which of the table's currencies each real API has a BTC market in.
  const expectedCurrencies: Record<string, string[]> = {
    kraken: CURRENCIES,
    coinbase: CURRENCIES,
    bitstamp: ["USD", "EUR", "GBP"],
    coingecko: CURRENCIES,
    mempool: CURRENCIES,
  };

  for (const name of RATE_SOURCE_NAMES) {
    describe(name, () => {
      const source = () => sources().find((s) => s.name === name)!;

      it("parses the real response shape into exact quotes", async () => {
        const before = Date.now();
        const quotes = await source().fetchRates(CURRENCIES, signal());
        expect(quotes.map((q) => q.currency)).toEqual(expectedCurrencies[name]);
        for (const q of quotes) {
          expect(q.source).toBe(name);
          expect(q.rate.toString()).toBe(sim.quote(name, q.currency));
          // Timestamps have one-second resolution on the wire.
          expect(q.at.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
          expect(q.at.getTime()).toBeLessThanOrEqual(Date.now());
        }
      });

      it("asks only for currencies it supports", async () => {
        expect(source().supports("XYZ")).toBe(false);
        expect(await source().fetchRates(["XYZ"], signal())).toEqual([]);
      });

      it("turns an HTTP error into an error naming the source", async () => {
        sim.setError(name, 503);
        const error = await source()
          .fetchRates(CURRENCIES, signal())
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RateSourceError);
        expect((error as RateSourceError).source).toBe(name);
        expect((error as Error).message).toMatch(
          new RegExp(`^${name}: GET http://127\\.0\\.0\\.1:\\d+/${name}/.* answered HTTP 503`),
        );
      });

      it("refuses a truncated body", async () => {
        sim.setMalformed(name, true);
        await expect(source().fetchRates(CURRENCIES, signal())).rejects.toThrow(
          new RegExp(`^${name}: .*not valid JSON`),
        );
      });

      it("refuses a zero price instead of using it", async () => {
        sim.setOutlier(name, -100);
        await expect(source().fetchRates(CURRENCIES, signal())).rejects.toThrow(
          new RegExp(`^${name}: .* must be above zero \\(got "0(\\.0+)?"\\)`),
        );
      });
    });
  }

  it("reads exchange timestamps, so a stale source looks stale", async () => {
    for (const name of ["bitstamp", "coingecko", "mempool"]) sim.setStale(name, 3600);
    const { quotes } = await fetchAllRates(sources(), ["USD"], { timeoutMs: 5000 });
    for (const q of quotes) {
      const age = (Date.now() - q.at.getTime()) / 1000;
      if (q.source === "kraken" || q.source === "coinbase") expect(age).toBeLessThan(60);
      else expect(age).toBeGreaterThan(3599);
    }
    expect(() => sim.setStale("kraken", 10)).toThrow("carries no timestamp");
  });

  it("finds Kraken's newer, unprefixed result keys (XBTCHF)", async () => {
    sim.setRate("CHF", "56000.5");
    const quotes = await krakenSource({ baseUrl: sim.baseUrls.kraken }).fetchRates(["USD", "CHF"], signal());
    expect(quotes.map((q) => `${q.currency}=${q.rate}`)).toEqual([`USD=${sim.quote("kraken", "USD")}`, "CHF=56000.5"]);
  });

  it("simulator control API sets knobs over HTTP", async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}/_control/${path}`, { method: "POST", body: JSON.stringify(body) });
    expect((await post("sources/coinbase", { errorStatus: 502 })).status).toBe(200);
    await expect(coinbaseSource({ baseUrl: sim.baseUrls.coinbase }).fetchRates(["USD"], signal())).rejects.toThrow(
      "HTTP 502",
    );
    expect((await post("rates/usd", { value: "80000" })).status).toBe(200);
    const state = (await (await fetch(`${sim.url}/_control`)).json()) as { rates: Record<string, string> };
    expect(state.rates.USD).toBe("80000");
    const bad = await post("sources/nope", { slowMs: 1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: expect.stringContaining('unknown source "nope"') });
    expect((await post("reset", {})).status).toBe(200);
    expect(sim.quote("kraken", "USD")).toBe("70862.71");
  });
});

describe("response shapes the simulator does not produce", () => {
  const kraken = (body: string) => krakenSource({ fetch: answer(body) }).fetchRates(["USD"], signal());

  it("Kraken API errors arrive in the error array, even on HTTP 200", async () => {
    await expect(kraken('{"error":["EQuery:Unknown asset pair"]}')).rejects.toThrow(
      "kraken: API error: EQuery:Unknown asset pair",
    );
    await expect(kraken('{"result":{}}')).rejects.toThrow("kraken: response has no `error` array");
    await expect(kraken('{"error":[],"result":{"XXBTZUSD":{"c":[]}}}')).rejects.toThrow(
      "kraken: XBTUSD last trade price (c[0]) is not a decimal price (got undefined)",
    );
  });

  it("a response without any requested currency is an error, one missing currency is not", async () => {
    await expect(kraken('{"error":[],"result":{}}')).rejects.toThrow("kraken: response has no rate for USD");
    const mempool = mempoolSource({ fetch: answer('{"time":1703252411,"USD":43753}') });
    const quotes = await mempool.fetchRates(["USD", "EUR"], signal());
    expect(quotes.map((q) => `${q.currency}=${q.rate}@${q.at.toISOString()}`)).toEqual([
      "USD=43753@2023-12-22T13:40:11.000Z",
    ]);
  });

  it("Coinbase rates must be for BTC", async () => {
    const body = '{"data":{"currency":"USD","rates":{"USD":"1"}}}';
    await expect(coinbaseSource({ fetch: answer(body) }).fetchRates(["USD"], signal())).rejects.toThrow(
      'coinbase: rates are for "USD", expected "BTC"',
    );
  });

  it("CoinGecko numbers are read from the text, every digit kept", async () => {
    const body = '{"bitcoin":{"usd":67187.33589365661234,"eur":6.1919e4,"last_updated_at":1711356300}}';
    const source = coingeckoSource({ fetch: answer(body) });
    expect((await source.fetchRates(["USD"], signal()))[0]!.rate.toString()).toBe("67187.33589365661234");
    await expect(source.fetchRates(["EUR"], signal())).rejects.toThrow(
      'coingecko: bitcoin.eur is not a decimal price (got "6.1919e4")',
    );
    await expect(coingeckoSource({ fetch: answer("{}") }).fetchRates(["USD"], signal())).rejects.toThrow(
      "coingecko: response has no `bitcoin` object",
    );
  });

  it("Bitstamp needs its timestamp", async () => {
    const body = '{"last":"70000","timestamp":"yesterday"}';
    await expect(bitstampSource({ fetch: answer(body) }).fetchRates(["USD"], signal())).rejects.toThrow(
      'bitstamp: btcusd timestamp is not a Unix timestamp (got "yesterday")',
    );
  });

  it("a refused connection is an error naming the source", async () => {
    const closed = await startRateSimulator();
    await closed.close();
    await expect(mempoolSource({ baseUrl: closed.baseUrls.mempool }).fetchRates(["USD"], signal())).rejects.toThrow(
      /^mempool: GET http:\/\/127\.0\.0\.1:\d+\/mempool\/api\/v1\/prices failed: fetch failed/,
    );
  });

  it("parseJsonExact keeps numbers as the text sent and strings untouched", () => {
    expect(parseJsonExact('{"a":[1,-2.50,3e2],"b":"x\\"1\\\\","c":true,"d":null,"e":0.1}')).toEqual({
      a: ["1", "-2.50", "3e2"],
      b: 'x"1\\',
      c: true,
      d: null,
      e: "0.1",
    });
    expect(() => parseJsonExact('{"a":1.2.3}')).toThrow(SyntaxError);
  });
});

describe("fetchAllRates", () => {
  it("fetches every source in parallel and the quotes aggregate to one rate per currency", async () => {
    const { quotes, failures } = await fetchAllRates(sources(), CURRENCIES, { timeoutMs: 5000 });
    expect(failures).toEqual([]);
    expect(quotes).toHaveLength(19); // 5 sources x 4 currencies, less Bitstamp's CAD
    const { rates, rejected } = aggregateQuotes(quotes, { now: new Date(), maxAgeSeconds: 600, configuredSources: 5 });
    expect(rejected).toEqual([]);
    expect(rates.map((r) => `${r.currency}:${r.sources.length}`)).toEqual(["CAD:4", "EUR:5", "GBP:5", "USD:5"]);
    // Median of the five USD quotes: the simulator's spreads put Kraken (spread 0) in the middle.
    expect(rates.find((r) => r.currency === "USD")!.rate.toString()).toBe("70862.71");
  });

  it("a slow source times out without holding up the others", async () => {
    sim.setSlow("kraken", 10_000);
    const started = Date.now();
    const { quotes, failures } = await fetchAllRates(sources(), ["USD"], { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(failures).toEqual([{ source: "kraken", error: "kraken: no answer within 300 ms" }]);
    expect(quotes.map((q) => q.source).sort()).toEqual(["bitstamp", "coinbase", "coingecko", "mempool"]);
  });

  it("a source that ignores its AbortSignal is still cut off", async () => {
    const hanging: RateSource = { name: "hang", supports: () => true, fetchRates: () => new Promise(() => {}) };
    const { failures } = await fetchAllRates([hanging], ["USD"], { timeoutMs: 50 });
    expect(failures).toEqual([{ source: "hang", error: "hang: no answer within 50 ms" }]);
  });

  it("one failing source is reported and the others still count", async () => {
    sim.setError("coinbase", 500);
    sim.setMalformed("mempool", true);
    const { quotes, failures } = await fetchAllRates(sources(), ["USD"], { timeoutMs: 5000 });
    expect(failures.map((f) => f.source)).toEqual(["coinbase", "mempool"]);
    expect(failures[0]!.error).toMatch(/^coinbase: GET .* answered HTTP 500: simulated coinbase failure$/);
    expect(quotes.map((q) => q.source)).toEqual(["kraken", "bitstamp", "coingecko"]);
  });

  it("skips sources that support none of the currencies, and clamps future timestamps", async () => {
    const now = new Date("2025-01-01T00:00:00Z");
    const ahead: RateSource = {
      name: "ahead",
      supports: (c) => c === "USD",
      fetchRates: async () => [
        { source: "ahead", currency: "USD", rate: Decimal.parse("1"), at: new Date("2030-01-01") },
      ],
    };
    const { quotes, failures } = await fetchAllRates([ahead], ["USD", "EUR"], { timeoutMs: 100, now: () => now });
    expect(failures).toEqual([]);
    expect(quotes[0]!.at).toEqual(now);
    expect(await fetchAllRates([ahead], ["EUR"], { timeoutMs: 100 })).toEqual({ quotes: [], failures: [] });
  });
});

describe("parseRateSources", () => {
  it("builds the listed adapters in order, case- and space-insensitive", () => {
    expect(parseRateSources(" Kraken, mempool ").map((s) => s.name)).toEqual(["kraken", "mempool"]);
  });

  const invalid: [string, string][] = [
    ["", "no rate sources listed; choose from kraken, coinbase, bitstamp, coingecko, mempool"],
    ["kraken,binance", 'unknown rate source "binance"; valid sources: kraken, coinbase, bitstamp, coingecko, mempool'],
    ["kraken,KRAKEN", 'rate source "kraken" is listed twice'],
  ];
  for (const [input, message] of invalid) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      expect(() => parseRateSources(input)).toThrow(RateConfigError);
      expect(() => parseRateSources(input)).toThrow(message);
    });
  }

  it("checks base URL overrides", () => {
    expect(() => parseRateSources("kraken", { baseUrls: { krakn: "http://x" } })).toThrow(
      'unknown rate source "krakn"',
    );
    expect(() => parseRateSources("kraken", { baseUrls: { kraken: "ftp://x" } })).toThrow("must be http(s)");
    expect(() => parseRateSources("kraken", { baseUrls: { kraken: "not a url" } })).toThrow("is not a URL");
  });
});
