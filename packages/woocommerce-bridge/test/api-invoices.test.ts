// The Greenfield invoice calls with the exact JSON types a typed client expects. 1 BTC = 100,000 USD,
// so $25.00 is 0.00025 BTC.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiFixture, CHECKOUT_TYPES, INVOICE_TYPES, pluginBody, startApiFixture } from "./support/api-fixture.js";
import { BTC_AMOUNT, types } from "./support/greenfield-client.js";
import { PAYMENT_METHOD_TYPES } from "./support/woocommerce-plugin.js";

let t: ApiFixture["t"];
let storeId: string;
let woo: string;
let viewOnly: string;
let otherStore: string;
let otherKey: string;
let gf: ApiFixture["gf"];
let btpay: ApiFixture["btpay"];
let create: ApiFixture["create"];

beforeAll(async () => {
  ({ t, storeId, woo, viewOnly, otherStore, otherKey, gf, btpay, create } = await startApiFixture());
});
afterAll(async () => t?.close());

describe("POST /stores/{storeId}/invoices", () => {
  it("makes a finalized btpay invoice from the plugin's exact body and answers the Greenfield invoice", async () => {
    const { body: inv } = await create("1001");
    expect(types(inv)).toEqual(INVOICE_TYPES);
    expect(types(inv.checkout)).toEqual(CHECKOUT_TYPES);
    expect(types(inv.receipt)).toEqual({ enabled: "boolean", showQR: "null", showPayments: "null" });
    expect(inv).toMatchObject({
      storeId,
      amount: "25.00",
      paidAmount: "0.00",
      currency: "USD",
      type: "Standard",
      checkoutLink: `${t.baseUrl}/i/${inv.id}`,
      status: "New",
      additionalStatus: "None",
      availableStatusesForManualMarking: ["Settled", "Invalid"],
      archived: false,
    });
    expect(inv.id).toMatch(/^[0-9A-F]{8}-[0-9A-F]{8}$/);
    // Metadata exactly as sent: posData stays a JSON string, taxIncluded a string.
    expect(inv.metadata).toEqual(pluginBody("1001").metadata);
    expect(typeof inv.metadata.posData).toBe("string");
    // null checkout options read back as the store defaults the invoice got.
    expect(inv.checkout).toEqual({
      speedPolicy: "MediumSpeed",
      paymentMethods: ["BTC-CHAIN"],
      defaultPaymentMethod: "BTC-CHAIN",
      lazyPaymentMethods: false,
      expirationMinutes: 15,
      monitoringMinutes: 1440,
      paymentTolerance: 0,
      redirectURL: "https://shop.example/checkout/order-received/1001/",
      redirectAutomatically: false,
      requiresRefundEmail: false,
      defaultLanguage: null,
    });
    // The 15 minutes start at finalize, a few milliseconds after the draft's creation; both times
    // are whole seconds (floored), so a second boundary may fall between the two instants.
    expect(inv.expirationTime - inv.createdTime).toBeGreaterThanOrEqual(15 * 60 - 1);
    expect(inv.expirationTime - inv.createdTime).toBeLessThanOrEqual(15 * 60 + 1);
    expect(inv.monitoringExpiration - inv.expirationTime).toBe(1440 * 60);

    // The same invoice through btpay's own API: finalized, one line, the buyer, the redirect.
    const own = await btpay("GET", `/invoices/${inv.id}`);
    expect(own.body).toMatchObject({
      ref: inv.id,
      status: "pending",
      total: "25.00",
      btc_amount: "0.00025000",
      customer_email: "ada@example.com",
      customer_name: "Ada Lovelace",
      required_confirmations: 1,
      redirect_url: "https://shop.example/checkout/order-received/1001/",
      lines: [{ description: "Order 1001", quantity: "1", unit_price: "25.00", amount: "25.00" }],
    });
  });

  it("honours speedPolicy, expirationMinutes, monitoringMinutes and paymentTolerance", async () => {
    const { body: inv } = await create("1002", {
      speedPolicy: "LowSpeed",
      expirationMinutes: 30,
      monitoringMinutes: 120,
      paymentTolerance: 1.5,
      redirectAutomatically: true,
      defaultLanguage: "de",
    });
    expect(inv.checkout).toMatchObject({
      speedPolicy: "LowSpeed",
      expirationMinutes: 30,
      monitoringMinutes: 120,
      paymentTolerance: 1.5,
      redirectAutomatically: true,
      defaultLanguage: "de",
    });
    expect(inv.monitoringExpiration - inv.expirationTime).toBe(120 * 60);
    const own = await btpay("GET", `/invoices/${inv.id}`);
    expect(own.body.required_confirmations).toBe(6);
    expect(own.body.expires_at).toBe(inv.expirationTime);
    const stored = await t.opened.db.repos().invoices.find(storeId, { by: "ref", ref: inv.id });
    expect(stored?.underpaymentTolerancePercent).toBe("1.5");
    expect(stored?.quote && (stored.quote.expiresAt.getTime() - stored.quote.finalizedAt.getTime()) / 60_000).toBe(30);
  });

  it("takes every payment-method spelling; Lightning next to on-chain is dropped, alone it is refused", async () => {
    for (const methods of [["BTC-CHAIN"], ["BTC"], ["BTC_CHAIN", "BTC_LN"], ["BTC-OnChain", "BTC_LightningLike"], []]) {
      const r = await gf(woo, "POST", `/stores/${storeId}/invoices`, pluginBody("1003", { paymentMethods: methods }));
      expect(r.status, JSON.stringify(methods)).toBe(200);
      expect(r.body.checkout.paymentMethods).toEqual(["BTC-CHAIN"]);
    }
    const ln = await gf(woo, "POST", `/stores/${storeId}/invoices`, pluginBody("1003", { paymentMethods: ["BTC-LN"] }));
    expect(ln.status).toBe(422);
    expect(ln.body).toEqual([{ path: "checkout.paymentMethods", message: expect.stringContaining("BTC-CHAIN") }]);
  });

  it("answers validation errors as a 422 array of {path, message}", async () => {
    const cases: [unknown, string[]][] = [
      [{ ...pluginBody("1"), amount: undefined }, ["amount"]],
      [{ ...pluginBody("1"), amount: "abc" }, ["amount"]],
      [{ ...pluginBody("1"), amount: "0.00" }, ["amount"]],
      [{ ...pluginBody("1"), amount: "-5" }, ["amount"]],
      [{ ...pluginBody("1"), amount: "25.005" }, ["amount"]],
      [{ ...pluginBody("1"), currency: "XYZ" }, ["currency"]],
      [{ ...pluginBody("1"), currency: "BTC" }, ["currency"]],
      [{ ...pluginBody("1"), currency: undefined }, ["currency"]],
      [{ ...pluginBody("1"), metadata: "order 1" }, ["metadata"]],
      [pluginBody("1", { speedPolicy: "Ludicrous" }), ["checkout.speedPolicy"]],
      [pluginBody("1", { paymentMethods: ["LTC-CHAIN"] }), ["checkout.paymentMethods"]],
      [pluginBody("1", { expirationMinutes: 0 }), ["checkout.expirationMinutes"]],
      [pluginBody("1", { monitoringMinutes: "60" }), ["checkout.monitoringMinutes"]],
      [pluginBody("1", { paymentTolerance: 100 }), ["checkout.paymentTolerance"]],
      [pluginBody("1", { redirectURL: "javascript:alert(1)" }), ["checkout.redirectURL"]],
      [{ ...pluginBody("1"), amount: "x", checkout: { speedPolicy: "x" } }, ["amount", "checkout.speedPolicy"]],
      [[1, 2], [""]],
    ];
    for (const [body, paths] of cases) {
      const r = await gf(woo, "POST", `/stores/${storeId}/invoices`, body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(Array.isArray(r.body)).toBe(true);
      expect(r.body.map((e: { path: string }) => e.path)).toEqual(paths);
      for (const e of r.body) expect(types(e)).toEqual({ path: "string", message: "string" });
    }
  });

  it("answers 403 for another store's key or a key without cancreateinvoice, 400 for a store without a wallet", async () => {
    for (const r of [
      await gf(otherKey, "POST", `/stores/${storeId}/invoices`, pluginBody("1")),
      await gf(viewOnly, "POST", `/stores/${storeId}/invoices`, pluginBody("1")),
    ]) {
      expect(r.status).toBe(403);
      expect(r.body.code).toBe("missing-permission");
    }
    const noRate = await gf(woo, "POST", `/stores/${storeId}/invoices`, { ...pluginBody("1"), currency: "EUR" });
    expect(noRate.status).toBe(400);
    expect(noRate.body).toEqual({ code: "generic-error", message: expect.stringContaining("EUR") });
    const noWallet = await gf(otherKey, "POST", `/stores/${otherStore}/invoices`, pluginBody("1"));
    expect(noWallet.status).toBe(400);
    expect(types(noWallet.body)).toEqual({ code: "string", message: "string" });
    // Nothing was written for it.
    const [page] = await t.opened.db.repos().invoices.listMany([{ storeId: otherStore, limit: 10, offset: 0 }]);
    expect(page?.total).toBe(0);
  });
});

describe("reading invoices", () => {
  it("GET .../invoices/{id} answers what the create answered", async () => {
    const { body: made } = await create("2001");
    const r = await gf(woo, "GET", `/stores/${storeId}/invoices/${made.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(made);
    // A view-only key may read it.
    expect((await gf(viewOnly, "GET", `/stores/${storeId}/invoices/${made.id}`)).status).toBe(200);
  });

  it("reads invoices made through btpay's own API too; a draft is not there yet", async () => {
    const made = await btpay("POST", "/invoices", {
      lines: [{ description: "Mug", quantity: 2, unit_price: "6.50" }],
      metadata: { orderId: "own-1" },
    });
    const ref = made.body.ref as string;
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices/${ref}`)).status).toBe(404);
    expect((await btpay("POST", `/invoices/${ref}/finalize`)).status).toBe(200);
    const r = await gf(woo, "GET", `/stores/${storeId}/invoices/${ref.toLowerCase()}`);
    expect(r.status).toBe(200);
    expect(types(r.body)).toEqual(INVOICE_TYPES);
    expect(types(r.body.checkout)).toEqual({ ...CHECKOUT_TYPES, redirectURL: "null", requiresRefundEmail: "null" });
    expect(r.body).toMatchObject({ id: ref, amount: "13.00", status: "New", metadata: { orderId: "own-1" } });
    expect(r.body.checkout).toMatchObject({
      speedPolicy: "MediumSpeed",
      expirationMinutes: 15,
      redirectAutomatically: false,
    });
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices?orderId=own-1`)).body).toEqual([r.body]);
  });

  it("answers 404 invoice-not-found for unknown ids and another store's invoices", async () => {
    const { body: made } = await create("2002");
    const otherInvoice = await gf(otherKey, "GET", `/stores/${otherStore}/invoices/${made.id}`);
    for (const r of [
      await gf(woo, "GET", `/stores/${storeId}/invoices/DEADBEEF-DEADBEEF`),
      await gf(woo, "GET", `/stores/${storeId}/invoices/not-an-id`),
      await gf(woo, "GET", `/stores/${storeId}/invoices/DEADBEEF-DEADBEEF/payment-methods`),
      await gf(woo, "POST", `/stores/${storeId}/invoices/DEADBEEF-DEADBEEF/status`, { status: "Invalid" }),
      await gf(woo, "PUT", `/stores/${storeId}/invoices/DEADBEEF-DEADBEEF`, { metadata: {} }),
      otherInvoice,
    ]) {
      expect(r.status).toBe(404);
      expect(types(r.body)).toEqual({ code: "string", message: "string" });
      expect(r.body.code).toBe("invoice-not-found");
    }
  });

  it("searches by orderId (several at once), by status, with skip and take", async () => {
    const a = (await create("3001")).body;
    const b = (await create("3002")).body;
    await create("3003");
    const r = await gf(woo, "GET", `/stores/${storeId}/invoices?orderId=3001&orderId=3002`);
    expect(r.status).toBe(200);
    expect(r.body.map((i: { id: string }) => i.id)).toEqual([b.id, a.id]);
    for (const inv of r.body) expect(types(inv)).toEqual(INVOICE_TYPES);
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices?orderId=3001`)).body).toEqual([a]);
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices?orderId=nope`)).body).toEqual([]);
    const paged = await gf(woo, "GET", `/stores/${storeId}/invoices?orderId=3001&orderId=3002&skip=1&take=1`);
    expect(paged.body.map((i: { id: string }) => i.id)).toEqual([a.id]);
    const news = await gf(woo, "GET", `/stores/${storeId}/invoices?status=New&orderId=3001`);
    expect(news.body).toHaveLength(1);
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices?status=Settled&orderId=3001`)).body).toEqual([]);
    const all = await gf(woo, "GET", `/stores/${storeId}/invoices`);
    expect(all.body.length).toBeGreaterThanOrEqual(3);
    const bad = await gf(woo, "GET", `/stores/${storeId}/invoices?status=Paid`);
    expect(bad.status).toBe(422);
    expect(bad.body[0].path).toBe("status");
  });

  it("payment-methods: every field the plugin reads, BTC amounts as 8-decimal strings", async () => {
    const { body: made } = await create("4001");
    const r = await gf(woo, "GET", `/stores/${storeId}/invoices/${made.id}/payment-methods`);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);
    const [pm] = r.body;
    expect(types(pm)).toEqual(PAYMENT_METHOD_TYPES);
    expect(pm).toMatchObject({
      paymentMethodId: "BTC-CHAIN",
      paymentMethod: "BTC-CHAIN",
      rate: "100000",
      paymentMethodPaid: "0.00000000",
      totalPaid: "0.00000000",
      due: "0.00025000",
      amount: "0.00025000",
      paymentMethodFee: "0.00000000",
      networkFee: "0.00000000",
      payments: [],
      activated: true,
    });
    expect(pm.destination).toMatch(/^bc1q/);
    expect(pm.paymentLink).toBe(`bitcoin:${pm.destination}?amount=0.00025`);
    for (const field of ["paymentMethodPaid", "totalPaid", "due", "amount", "paymentMethodFee"])
      expect(pm[field]).toMatch(BTC_AMOUNT);
  });
});

describe("changing invoices", () => {
  it("marking a new invoice Invalid cancels it in btpay and records invoice.marked with the cancel", async () => {
    const { body: made } = await create("5001");
    const r = await gf(woo, "POST", `/stores/${storeId}/invoices/${made.id}/status`, { status: "Invalid" });
    expect(r.status).toBe(200);
    expect(types(r.body)).toEqual(INVOICE_TYPES);
    expect(r.body).toMatchObject({
      id: made.id,
      status: "Invalid",
      additionalStatus: "Marked",
      availableStatusesForManualMarking: ["Settled"],
    });
    expect((await btpay("GET", `/invoices/${made.id}`)).body.status).toBe("cancelled");
    const stored = await t.opened.db.repos().invoices.find(storeId, { by: "ref", ref: made.id });
    const events = (await t.opened.db.repos().outbox.list(storeId, 0, 10_000)).filter(
      (e) => e.invoiceId === stored?.id,
    );
    expect(events.map((e) => e.type)).toEqual(["invoice.created", "invoice.cancelled", "invoice.marked"]);
    expect(events[2]?.data).toEqual({ ref: made.id, mark: "Invalid" });

    // Invalid twice is refused; Invalid -> Settled is allowed, as BTCPay allows it.
    const again = await gf(woo, "POST", `/stores/${storeId}/invoices/${made.id}/status`, { status: "Invalid" });
    expect(again.status).toBe(422);
    expect(again.body).toEqual([{ path: "status", message: expect.any(String) }]);
    const settled = await gf(woo, "POST", `/stores/${storeId}/invoices/${made.id}/status`, { status: "Settled" });
    expect(settled.body).toMatchObject({ status: "Settled", additionalStatus: "Marked" });
  });

  it("marking Settled keeps btpay's status and answers Settled/Marked", async () => {
    const { body: made } = await create("5002");
    const r = await gf(woo, "POST", `/stores/${storeId}/invoices/${made.id}/status`, { status: "Settled" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "Settled", additionalStatus: "Marked" });
    expect((await btpay("GET", `/invoices/${made.id}`)).body.status).toBe("pending");
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices/${made.id}`)).body.status).toBe("Settled");
  });

  it("refuses a mark other than Settled/Invalid (422) and without canmodifyinvoices (403)", async () => {
    const { body: made } = await create("5003");
    const bad = await gf(woo, "POST", `/stores/${storeId}/invoices/${made.id}/status`, { status: "Expired" });
    expect(bad.status).toBe(422);
    expect(bad.body[0].path).toBe("status");
    const forbidden = await gf(viewOnly, "POST", `/stores/${storeId}/invoices/${made.id}/status`, {
      status: "Invalid",
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe("missing-permission");
  });

  it("PUT replaces the metadata", async () => {
    const { body: made } = await create("6001");
    const r = await gf(woo, "PUT", `/stores/${storeId}/invoices/${made.id}`, {
      metadata: { orderId: "6001", note: "gift" },
    });
    expect(r.status).toBe(200);
    expect(r.body.metadata).toEqual({ orderId: "6001", note: "gift" });
    expect((await gf(woo, "GET", `/stores/${storeId}/invoices/${made.id}`)).body.metadata).toEqual({
      orderId: "6001",
      note: "gift",
    });
    const bad = await gf(woo, "PUT", `/stores/${storeId}/invoices/${made.id}`, { metadata: null });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual([{ path: "metadata", message: expect.any(String) }]);
  });
});
