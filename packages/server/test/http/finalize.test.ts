import { type BtpayClient, createBtpayClient } from "@btpay/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/test-server.js";

// BIP-84 test vector account (mnemonic "abandon x11 about", m/84'/0'/0').
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";
const BIP84_RECEIVE = ["bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"];
// BIP-32 test vector 1 master public key: other stores use it under other scripts (distinct addresses).
const TV1 =
  "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
// BIP-32 test vector 1 master private key: must be refused and never stored.
const XPRV =
  "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";

let t: TestServer;
let api: BtpayClient;
let key: string;
let storeId: string;

const body = {
  currency: "USD",
  tax_rate: 10,
  lines: [
    { description: "Consulting (1 hour)", quantity: 1, unit_price: "150.00" },
    { description: "Hardware wallet setup", quantity: 2, unit_price: "25.00" },
  ],
};

async function draft(client = api, b: Record<string, unknown> = body) {
  const { data } = await client.POST("/invoices", { body: b as never });
  if (!data) throw new Error("create failed");
  return data;
}

async function raw(method: string, path: string, payload?: unknown, withKey = key) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${withKey}`, "content-type": "application/json" },
    ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startTestServer({ env: { BTPAY_RATES_FIXED: "USD:70862.71,EUR:61919.68" } });
  ({ key, storeId } = await t.newStoreWithKey());
  api = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
});
afterAll(async () => t?.close());

describe("wallet", () => {
  it("GET /wallet before one is set is a 404", async () => {
    expect((await raw("GET", "/wallet")).status).toBe(404);
  });

  it("a private key is refused, not echoed, not stored", async () => {
    const res = await raw("PUT", "/wallet", { xpub: XPRV });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/private/i);
    expect(JSON.stringify(res.body)).not.toContain(XPRV);
    const stored = (await t.opened.orm.em.fork().execute("select receive_descriptor from wallet")) as unknown[];
    expect(JSON.stringify(stored)).not.toContain("xprv");
  });

  it("a read-only key cannot set the wallet", async () => {
    const ro = await t.keys.create({ storeId, name: "ro", access: "read_only" });
    expect((await raw("PUT", "/wallet", { xpub: ZPUB }, ro.key)).status).toBe(403);
  });

  it("set with a zpub answers with the BIP-84 document's first receive addresses", async () => {
    const { data, response } = await api.PUT("/wallet", { body: { xpub: ZPUB } });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({
      network: "mainnet",
      kind: "xpub",
      script_type: "p2wpkh",
      gap_limit: 20,
      next_index: 0,
    });
    expect(data?.first_addresses.slice(0, 2)).toEqual(BIP84_RECEIVE);
    expect(data?.first_addresses).toHaveLength(5);
    const again = await api.GET("/wallet");
    expect(again.data?.first_addresses).toEqual(data?.first_addresses);
  });

  it("a descriptor with a wrong checksum is a 400 naming the checksum", async () => {
    const res = await raw("PUT", "/wallet", {
      descriptor:
        "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/0/*)#aaaaaaaa",
    });
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/checksum/);
  });

  it("neither or both of xpub and descriptor is a 400", async () => {
    expect((await raw("PUT", "/wallet", {})).status).toBe(400);
    expect((await raw("PUT", "/wallet", { xpub: ZPUB, descriptor: "wpkh(x)" })).status).toBe(400);
  });
});

describe("finalize", () => {
  it("locks the rate, assigns the first address and answers with a BIP21 URI and expiry", async () => {
    const inv = await draft();
    const before = Math.floor(Date.now() / 1000);
    const { data, response } = await api.POST("/invoices/{ref}/finalize", { params: { path: { ref: inv.ref } } });
    expect(response.status).toBe(200);
    // 220.00 / 70862.71 = 0.0031045947... -> HALF_UP to 8 decimals.
    expect(data).toMatchObject({
      status: "pending",
      btc_rate: "70862.71",
      btc_amount: "0.00310459",
      btc_rate_sources: ["fixed"],
      payment_address: BIP84_RECEIVE[0],
      payment_uri: `bitcoin:${BIP84_RECEIVE[0]}?amount=0.00310459&label=${inv.invoice_number}`,
    });
    expect(data?.expires_at).toBeGreaterThanOrEqual(before + 30 * 60 - 5);
    expect(data?.expires_at).toBeLessThanOrEqual(before + 30 * 60 + 60);
    const status = await api.GET("/invoices/{ref}/status", { params: { path: { ref: inv.ref } } });
    expect(status.data?.status).toBe("pending");
  });

  it("finalizing twice is a 400 and hands out nothing more", async () => {
    const inv = await draft();
    await api.POST("/invoices/{ref}/finalize", { params: { path: { ref: inv.ref } } });
    const second = await raw("POST", `/invoices/${inv.ref}/finalize`);
    expect(second.status).toBe(400);
    expect(String(second.body.error)).toMatch(/only draft/);
  });

  it("no rate for the currency: 400, and no address is consumed", async () => {
    const wallet = await api.GET("/wallet");
    const inv = await draft(api, { ...body, currency: "GBP" });
    const res = await raw("POST", `/invoices/${inv.ref}/finalize`);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/GBP/);
    expect((await api.GET("/wallet")).data?.next_index).toBe(wallet.data?.next_index);
    expect((await api.GET("/invoices/{ref}", { params: { path: { ref: inv.ref } } })).data?.status).toBe("draft");
  });

  it("a zero total cannot be finalized", async () => {
    const inv = await draft(api, { lines: [{ description: "free", quantity: 1, unit_price: "0" }] });
    const res = await raw("POST", `/invoices/${inv.ref}/finalize`);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/total/);
  });

  it("a store without a wallet gets a 400 that says how to set one", async () => {
    const other = await t.newStoreWithKey("full", "No wallet shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: other.key });
    const inv = await draft(client);
    const res = await raw("POST", `/invoices/${inv.ref}/finalize`, undefined, other.key);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/wallet/);
  });

  it("50 parallel finalizes get 50 distinct addresses, in derivation order", async () => {
    const shop = await t.newStoreWithKey("full", "Parallel shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: shop.key });
    const set = await client.PUT("/wallet", { body: { descriptor: `wpkh(${TV1}/0/*)`, gap_limit: 100 } });
    expect(set.response.status).toBe(200);
    const drafts = await Promise.all(Array.from({ length: 50 }, () => draft(client)));
    const results = await Promise.all(
      drafts.map((d) => client.POST("/invoices/{ref}/finalize", { params: { path: { ref: d.ref } } })),
    );
    const addresses = results.map((r) => r.data?.payment_address);
    expect(addresses.every((a) => typeof a === "string")).toBe(true);
    expect(new Set(addresses).size).toBe(50);
    expect((await client.GET("/wallet")).data?.next_index).toBe(50);
  });

  it("finalizes racing each other and cancels never claim an address for an invoice that does not keep it", async () => {
    const shop = await t.newStoreWithKey("full", "Racing shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: shop.key });
    await client.PUT("/wallet", { body: { descriptor: `tr(${TV1}/0/*)`, gap_limit: 500 } });
    const drafts = await Promise.all(Array.from({ length: 20 }, () => draft(client)));
    const finalize = (ref: string) => client.POST("/invoices/{ref}/finalize", { params: { path: { ref } } });
    await Promise.all(
      drafts.flatMap((d, i) => [
        finalize(d.ref),
        i % 2 === 0 ? finalize(d.ref) : client.DELETE("/invoices/{ref}", { params: { path: { ref: d.ref } } }),
      ]),
    );
    const em = t.opened.orm.em.fork();
    const claimed = await em.execute<{ address: string; state: string; status: string; payment_address: string }[]>(
      `select a.address, a.state, i.status, i.payment_address from address a join invoice i on i.id = a.invoice_id
       where i.store_id = ?`,
      [shop.storeId],
    );
    // Every address held by an invoice is the one that invoice shows, and only pending ones hold one.
    for (const c of claimed) {
      expect(c).toMatchObject({ state: "assigned", status: "pending", payment_address: c.address });
    }
    const pending = await em.execute<{ n: string }[]>(
      "select count(*) as n from invoice where store_id = ? and status = 'pending'",
      [shop.storeId],
    );
    expect(claimed.length).toBe(Number(pending[0]?.n));
    expect(claimed.length).toBeGreaterThanOrEqual(10); // the ten finalized twice
    // The statement itself refuses an invoice that is no longer a draft, and claims nothing for it.
    const cancelled = await em.execute<{ id: number }[]>(
      "select id from invoice where store_id = ? and status = 'cancelled' limit 1",
      [shop.storeId],
    );
    const [wallet] = await em.execute<{ id: number }[]>("select id from wallet where store_id = ? and active", [
      shop.storeId,
    ]);
    const before = await em.execute<{ n: string }[]>("select count(*) as n from address where state = 'assigned'");
    const attempt = await t.opened.db
      .repos()
      .invoices.finalizeWithPooledAddress(Number(cancelled[0]?.id), Number(wallet?.id), {
        btcRate: "70000",
        btcAmountSats: 1000n,
        btcRateSources: ["test"],
        btcRateAt: new Date(),
        finalizedAt: new Date(),
        expiresAt: new Date(),
        monitoringUntil: new Date(),
      });
    expect(attempt).toBeNull();
    expect(await em.execute("select count(*) as n from address where state = 'assigned'")).toEqual(before);
  });

  it("warns about the gap limit before it is exceeded", async () => {
    const shop = await t.newStoreWithKey("full", "Gap shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: shop.key });
    await client.PUT("/wallet", { body: { descriptor: `pkh(${TV1}/0/*)`, gap_limit: 5 } });
    const warnings: (string | null | undefined)[] = [];
    for (let i = 0; i < 5; i++) {
      const d = await draft(client);
      await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: d.ref } } });
      warnings.push((await client.GET("/wallet")).data?.gap_warning);
    }
    expect(warnings.slice(0, 3)).toEqual([null, null, null]);
    expect(warnings[3]).toMatch(/gap limit of 5/);
    expect(warnings[4]).toMatch(/beyond the gap limit/);
  });

  it("cancel releases a pending invoice's address; with reuse off it is never handed out again", async () => {
    const shop = await t.newStoreWithKey("full", "Cancel shop");
    const client = createBtpayClient({ baseUrl: t.baseUrl, apiKey: shop.key });
    await client.PUT("/wallet", { body: { descriptor: `sh(wpkh(${TV1}/0/*))` } });
    const a = await draft(client);
    const first = await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: a.ref } } });
    await client.DELETE("/invoices/{ref}", { params: { path: { ref: a.ref } } });
    const b = await draft(client);
    const second = await client.POST("/invoices/{ref}/finalize", { params: { path: { ref: b.ref } } });
    expect(second.data?.payment_address).not.toBe(first.data?.payment_address);
    const rows = (await t.opened.orm.em
      .fork()
      .execute("select state, invoice_id from address where address = ?", [first.data?.payment_address])) as {
      state: string;
      invoice_id: string | null;
    }[];
    expect(rows).toEqual([{ state: "released", invoice_id: null }]);
  });
});

describe("one address sequence, one store", () => {
  it("setting the same wallet again keeps its position: no address is handed out twice", async () => {
    const before = (await api.GET("/wallet")).data;
    expect(before?.next_index).toBeGreaterThan(0);
    // Same account, spelled differently (xpub form with a key origin): same addresses.
    const again = await api.PUT("/wallet", {
      body: {
        descriptor:
          "wpkh([73c5da0a/84'/0'/0']xpub6CatWdiZiodmUeTDp8LT5or8nmbKNcuyvz7WyksVFkKB4RHwCD3XyuvPEbvqAQY3rAPshWcMLoP2fMFMKHPJ4ZeZXYVUhLv1VMrjPC7PW6V/<0;1>/*)",
      },
    });
    expect(again.response.status).toBe(200);
    expect(again.data?.next_index).toBe(before?.next_index);
    const inv = await draft();
    const fin = await api.POST("/invoices/{ref}/finalize", { params: { path: { ref: inv.ref } } });
    expect(fin.response.status).toBe(200);
  });

  it("another store cannot take a wallet that is already in use", async () => {
    const other = await t.newStoreWithKey("full", "Copycat shop");
    const res = await raw("PUT", "/wallet", { xpub: ZPUB }, other.key);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toMatch(/another store/);
  });
});

describe("rates", () => {
  it("GET /rates answers the configured rates", async () => {
    const { data } = await api.GET("/rates");
    expect(data?.rates).toEqual([
      { currency: "USD", rate: "70862.71" },
      { currency: "EUR", rate: "61919.68" },
    ]);
  });
});
