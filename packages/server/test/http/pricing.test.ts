import { createBtpayClient } from "@btpay/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

const TV1 =
  "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
// Each store needs its own address sequence: one script type of the same key per store.
const wallets = [`wpkh(${TV1}/0/*)`, `pkh(${TV1}/0/*)`, `sh(wpkh(${TV1}/0/*))`];
const lines = [{ description: "Thing", quantity: 1, unit_price: "220.00" }];

let t: TestServer;
let now = new Date();
const clock = { now: () => now };

beforeAll(async () => {
  // No fixed rates: finalize prices from the stored aggregated rates, as in production.
  t = await startTestServer({ clock, env: { BTPAY_RATE_MAX_AGE_SECONDS: "600" } });
});
afterAll(async () => t?.close());

async function shop(markup?: string) {
  const store = await t.stores.create({ name: "Pricing shop", markupPercent: markup });
  const { key } = await t.keys.create({ storeId: store.id, name: "k", access: "full" });
  const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
  const set = await client.PUT("/wallet", { body: { descriptor: wallets.shift() ?? "" } });
  expect(set.response.status).toBe(200);
  return { client, key };
}

async function storeRate(rate: string, quotedAt: Date) {
  await t.opened.db
    .repos()
    .exchangeRates.upsert([{ currency: "USD", rate, sources: ["bitstamp", "kraken"], quotedAt, fetchedAt: quotedAt }]);
}

describe("pricing from stored rates", () => {
  it("uses the stored median rate and records its sources and time", async () => {
    now = new Date();
    await storeRate("70862.71", new Date(now.getTime() - 30_000));
    const { client } = await shop();
    const { data: d } = await client.POST("/invoices", { body: { lines } });
    const { data } = await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: d?.ref ?? "" } } });
    expect(data).toMatchObject({
      btc_rate: "70862.71",
      btc_amount: "0.00310459",
      btc_rate_sources: ["bitstamp", "kraken"],
    });
    expect(data?.btc_rate_at).toBe(Math.floor((now.getTime() - 30_000) / 1000));
  });

  it("a markup makes the payer pay more BTC", async () => {
    now = new Date();
    await storeRate("70862.71", now);
    const { client } = await shop("1");
    const { data: d } = await client.POST("/invoices", { body: { lines } });
    const { data } = await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: d?.ref ?? "" } } });
    // 220 x 1.01 / 70862.71 = 0.0031356406... -> 0.00313564
    expect(data?.btc_amount).toBe("0.00313564");
  });

  it("a stale rate is refused with a clear error and nothing is consumed", async () => {
    now = new Date();
    await storeRate("70862.71", new Date(now.getTime() - 1000));
    const { client, key } = await shop();
    now = new Date(now.getTime() + 11 * 60_000);
    const { data: d } = await client.POST("/invoices", { body: { lines } });
    const res = await fetch(`${t.apiUrl}/invoices/${d?.ref}/finalize`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/stale/);
    expect((await client.GET("/wallet")).data?.next_index).toBe(0);
    const rates = await client.GET("/rates");
    expect(rates.data?.rates).toEqual([]);
  });
});

describe("address reuse after a quarantine (opt-in)", () => {
  it("hands a cancelled invoice's never-paid address out again only after the quarantine", async () => {
    const reuse = await startTestServer({
      clock,
      env: { BTPAY_RATES_FIXED: "USD:70000", BTPAY_ADDRESS_REUSE_AFTER_HOURS: "2" },
    });
    try {
      now = new Date();
      const store = await reuse.stores.create({ name: "Reuse shop" });
      const { key } = await reuse.keys.create({ storeId: store.id, name: "k", access: "full" });
      const client = createBtpayClient({ baseUrl: reuse.baseUrl, apiKey: key });
      await client.PUT("/wallet", { body: { descriptor: `wpkh(${TV1}/0/*)` } });
      const finalize = async () => {
        const { data: d } = await client.POST("/invoices", { body: { lines } });
        const { data } = await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: d?.ref ?? "" } } });
        return data;
      };
      const first = await finalize();
      await client.DELETE("/invoices/{ref}", { params: { path: { ref: first?.ref ?? "" } } });
      now = new Date(now.getTime() + 60 * 60_000);
      const during = await finalize();
      expect(during?.payment_address).not.toBe(first?.payment_address);
      now = new Date(now.getTime() + 61 * 60_000);
      const after = await finalize();
      expect(after?.payment_address).toBe(first?.payment_address);
    } finally {
      await reuse.close();
    }
  });
});
