import { networks, payments } from "bitcoinjs-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBtpayClient } from "../../sdk/src/index.js";
import { systemClock } from "../../server/src/ports.js";
import { RateService } from "../../server/src/services/rates.js";
import { RefundService } from "../../server/src/services/refunds.js";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// btpay's own merchant API for refunds (Bearer keys): list, get, mark paid, cancel; and the SDK.

const ENV = { BTPAY_NETWORK: "regtest", BTPAY_RATES_FIXED: "USD:50000,EUR:40000" };
const TXID = "9f2c45a12db0144909b5db269415f7319179105982ac70ed80d76ea79d923ebf";
const regtestAddress = (fill: number) =>
  payments.p2wpkh({ hash: new Uint8Array(20).fill(fill), network: networks.regtest }).address as string;

let t: TestServer;
let key: string;
let storeId: string;
let readOnlyKey: string;
let otherKey: string;
let refunds: RefundService;

beforeAll(async () => {
  t = await startTestServer({ env: ENV });
  ({ key, storeId } = await t.newStoreWithKey());
  readOnlyKey = (await t.keys.create({ storeId, name: "reporting", access: "read_only" })).key;
  ({ key: otherKey } = await t.newStoreWithKey("full", "Other shop"));
  const rates = new RateService(t.opened.db, systemClock, {
    fixed: [{ currency: "USD", rate: "50000", sources: ["fixed"], at: new Date() }],
    maxAgeSeconds: 600,
  });
  refunds = new RefundService(t.opened.db, systemClock, rates, "regtest");
});
afterAll(async () => t?.close());

const newRefund = (amount = "25") =>
  refunds.create(storeId, {
    name: "Refund of order 77; late",
    description: null,
    amount,
    currency: "USD",
    expiresAt: null,
  });

async function api(path: string, init: RequestInit & { key?: string } = {}) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${init.key ?? key}`, "content-type": "application/json" },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const stored = async (ref: string) => (await t.opened.db.repos().refunds.findByRef(ref))!;

describe("GET /refunds and /refunds/{ref}", () => {
  it("answers a refund with exact JSON types: decimals and sats as strings, times as integers", async () => {
    const r = await newRefund();
    await refunds.claim(r.ref, regtestAddress(1));
    const { status, body } = await api(`/refunds/${r.ref}`);
    expect(status).toBe(200);
    expect(body).toEqual({
      ref: r.ref,
      status: "claimed",
      name: "Refund of order 77; late",
      description: null,
      amount: "25.00",
      currency: "USD",
      invoice_ref: null,
      claim_url: `${t.baseUrl}/pull-payments/${r.ref}`,
      claim_address: regtestAddress(1),
      claim_amount_sats: "50000",
      claim_btc_amount: "0.00050000",
      claim_rate: "50000",
      txid: null,
      created_at: expect.any(Number),
      claimed_at: expect.any(Number),
      paid_at: null,
      expires_at: null,
    });
    expect(Number.isInteger(body.created_at)).toBe(true);
  });

  it("lists newest first with a status filter, limit and offset", async () => {
    const a = await newRefund("1");
    const b = await newRefund("2");
    const all = await api("/refunds?limit=2");
    expect(all.status).toBe(200);
    expect((all.body.refunds as { ref: string }[]).map((r) => r.ref)).toEqual([b.ref, a.ref]);
    expect(all.body).toMatchObject({ limit: 2, offset: 0 });
    expect(all.body.total).toBeGreaterThanOrEqual(3);
    const next = await api("/refunds?limit=1&offset=1");
    expect((next.body.refunds as { ref: string }[])[0]?.ref).toBe(a.ref);
    const claimed = await api("/refunds?status=claimed");
    expect((claimed.body.refunds as { status: string }[]).every((r) => r.status === "claimed")).toBe(true);
    expect(claimed.body.total).toBe((claimed.body.refunds as unknown[]).length);
  });

  it("a bad filter, limit or ref is a 400 JSON error; another store's refund is a 404", async () => {
    const r = await newRefund();
    expect(await api("/refunds?status=refunded")).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/status/) },
    });
    expect((await api("/refunds?limit=0")).status).toBe(400);
    expect((await api("/refunds/bad%20ref!")).status).toBe(400);
    expect(await api(`/refunds/${r.ref}`, { key: otherKey })).toMatchObject({
      status: 404,
      body: { error: expect.any(String) },
    });
    expect((await api("/refunds", { key: otherKey })).body.total).toBe(0);
  });
});

describe("POST /refunds/{ref}/paid", () => {
  it("records the txid (lower-cased) of a claimed refund; the same txid again is a no-op", async () => {
    const r = await newRefund();
    await refunds.claim(r.ref, regtestAddress(2));
    const paid = await api(`/refunds/${r.ref}/paid`, {
      method: "POST",
      body: JSON.stringify({ txid: TXID.toUpperCase() }),
    });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", txid: TXID, paid_at: expect.any(Number) });
    const again = await api(`/refunds/${r.ref}/paid`, { method: "POST", body: JSON.stringify({ txid: TXID }) });
    expect(again).toMatchObject({ status: 200, body: { status: "paid", txid: TXID, paid_at: paid.body.paid_at } });
  });

  it("refuses with 400 and changes nothing: bad txid, missing txid, unknown field, not claimed, another txid", async () => {
    const unclaimed = await newRefund();
    const paid = await newRefund();
    await refunds.claim(paid.ref, regtestAddress(3));
    await refunds.markPaid(storeId, paid.ref, TXID);
    const cases: [string, unknown, RegExp][] = [
      [unclaimed.ref, { txid: "xyz" }, /txid/],
      [unclaimed.ref, {}, /txid: is required/],
      [unclaimed.ref, { txid: TXID, note: "x" }, /unknown field/],
      [unclaimed.ref, { txid: TXID }, /not claimed yet/],
      [paid.ref, { txid: "ab".repeat(32) }, /already marked paid with another transaction/],
    ];
    for (const [ref, body, message] of cases) {
      const before = await stored(ref);
      const res = await api(`/refunds/${ref}/paid`, { method: "POST", body: JSON.stringify(body) });
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: expect.stringMatching(message) } });
      expect(await stored(ref)).toEqual(before);
    }
  });

  it("a read-only key may look but not mark paid (403); an unknown ref is a 404", async () => {
    const r = await newRefund();
    await refunds.claim(r.ref, regtestAddress(4));
    expect((await api(`/refunds/${r.ref}`, { key: readOnlyKey })).status).toBe(200);
    const res = await api(`/refunds/${r.ref}/paid`, {
      method: "POST",
      body: JSON.stringify({ txid: TXID }),
      key: readOnlyKey,
    });
    expect(res.status).toBe(403);
    expect((await stored(r.ref)).state).toBe("claimed");
    expect(
      (await api("/refunds/noSuchRefund/paid", { method: "POST", body: JSON.stringify({ txid: TXID }) })).status,
    ).toBe(404);
  });
});

describe("DELETE /refunds/{ref}", () => {
  it("cancels an unpaid refund (awaiting or claimed); again answers it unchanged; a paid one is a 400", async () => {
    const awaiting = await newRefund();
    const claimed = await newRefund();
    await refunds.claim(claimed.ref, regtestAddress(5));
    for (const r of [awaiting, claimed]) {
      expect(await api(`/refunds/${r.ref}`, { method: "DELETE" })).toMatchObject({
        status: 200,
        body: { status: "cancelled" },
      });
      expect(await api(`/refunds/${r.ref}`, { method: "DELETE" })).toMatchObject({
        status: 200,
        body: { status: "cancelled" },
      });
    }
    const paid = await newRefund();
    await refunds.claim(paid.ref, regtestAddress(6));
    await refunds.markPaid(storeId, paid.ref, TXID);
    const res = await api(`/refunds/${paid.ref}`, { method: "DELETE" });
    expect(res).toMatchObject({ status: 400, body: { error: expect.stringMatching(/already paid/) } });
    expect((await stored(paid.ref)).state).toBe("paid");
    expect((await api(`/refunds/${awaiting.ref}`, { method: "DELETE", key: readOnlyKey })).status).toBe(403);
  });
});

describe("the SDK", () => {
  it("sees the refund endpoints typed from the spec", async () => {
    const r = await newRefund("12.5");
    await refunds.claim(r.ref, regtestAddress(7));
    const btpay = createBtpayClient({ baseUrl: t.baseUrl, apiKey: key });
    const { data, error } = await btpay.POST("/refunds/{ref}/paid", {
      params: { path: { ref: r.ref } },
      body: { txid: TXID },
    });
    expect(error).toBeUndefined();
    // Typed: `claim_amount_sats` is a string, `paid_at` a number or null, `status` the enum.
    const sats: string | null | undefined = data?.claim_amount_sats;
    const paidAt: number | null | undefined = data?.paid_at;
    expect(sats).toBe("25000");
    expect(typeof paidAt).toBe("number");
    const list = await btpay.GET("/refunds", { params: { query: { status: "paid", limit: 100 } } });
    expect(list.data?.refunds.map((x) => x.ref)).toContain(r.ref);
  });
});
