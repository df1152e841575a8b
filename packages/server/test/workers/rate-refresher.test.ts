import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";
import { systemClock } from "../../src/ports.js";
import { parseRateSources } from "../../src/rates/config.js";
import { RateService } from "../../src/services/rates.js";
import { type RateSimulator, startRateSimulator } from "../../src/simulators/rate-simulator.js";
import { startRateRefresher } from "../../src/workers/rate-refresher.js";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

let t: TestServer;
let sim: RateSimulator;
const logger = createLogger("silent", pino.destination({ dest: 2, sync: true }));

beforeAll(async () => {
  t = await startTestServer();
  sim = await startRateSimulator();
});
afterAll(async () => {
  await sim?.close();
  await t?.close();
});

/** One refresh round of the real worker against the simulator's five real-format endpoints. */
async function refreshOnce() {
  const refresher = startRateRefresher(t.opened.db, systemClock, logger, {
    sources: parseRateSources("kraken,coinbase,bitstamp,coingecko,mempool", { baseUrls: sim.baseUrls }),
    currencies: ["USD", "EUR"],
    intervalSeconds: 3600,
    maxAgeSeconds: 600,
    outlierPercent: 2,
    minSources: 2,
    timeoutMs: 1000,
  });
  await refresher.firstRound();
  await refresher.stop();
}

const rates = () => new RateService(t.opened.db, systemClock, { fixed: null, maxAgeSeconds: 600 });

describe("rate refresher", () => {
  it("stores the median of the five sources, with the sources that agreed", async () => {
    sim.reset();
    sim.setRate("USD", "70000");
    await refreshOnce();
    const usd = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "USD");
    expect(usd?.sources).toEqual(["bitstamp", "coinbase", "coingecko", "kraken", "mempool"]);
    // Every source quotes within 0.06% of 70000; the median is one of them.
    expect(Number(usd?.rate)).toBeGreaterThan(69_950);
    expect(Number(usd?.rate)).toBeLessThan(70_050);
    expect((await rates().quote("USD")).sources).toHaveLength(5);
  });

  it("drops an outlier and survives a failing and a slow source", async () => {
    sim.reset();
    sim.setRate("USD", "70000");
    sim.setOutlier("coingecko", 25);
    sim.setError("bitstamp", 500);
    sim.setSlow("mempool", 5000);
    await refreshOnce();
    const usd = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "USD");
    expect(usd?.sources).toEqual(["coinbase", "kraken"]);
  });

  it("keeps the last good rate when every source fails", async () => {
    const before = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "USD");
    sim.reset();
    for (const s of ["kraken", "coinbase", "bitstamp", "coingecko", "mempool"]) sim.setError(s, 503);
    await refreshOnce();
    const after = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "USD");
    expect(after).toEqual(before);
  });

  it("refuses to store a currency only one source quotes when several are configured", async () => {
    sim.reset();
    sim.setRate("EUR", "61000");
    for (const s of ["coinbase", "bitstamp", "coingecko", "mempool"]) sim.setError(s, 503);
    const before = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "EUR");
    await refreshOnce();
    const after = (await t.opened.db.repos().exchangeRates.all()).find((r) => r.currency === "EUR");
    expect(after).toEqual(before);
  });
});
