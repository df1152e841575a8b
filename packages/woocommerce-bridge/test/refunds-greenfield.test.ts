import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../server/test/helpers/test-server.js";

// Greenfield pull payments as the WooCommerce plugin (v2.8, PHP client v2.9) makes them for refunds,
// over real HTTP with `Authorization: token <key>`.

const ENV = { BTPAY_NETWORK: "regtest", BTPAY_RATES_FIXED: "USD:50000" };
const S = "btcpay.store.";
/** What the plugin's connect flow grants (the four required and the two optional policies). */
const PLUGIN_POLICIES = [
  `${S}canviewinvoices`,
  `${S}cancreateinvoice`,
  `${S}canviewstoresettings`,
  `${S}canmodifyinvoices`,
  `${S}cancreatenonapprovedpullpayments`,
  `${S}webhooks.canmodifywebhooks`,
];

let t: TestServer;
let storeId: string;
let btpayKey: string;
let pluginKey: string;
let noRefundKey: string;
let managerKey: string;
let otherStoreKey: string;

beforeAll(async () => {
  t = await startTestServer({ env: ENV });
  ({ key: btpayKey, storeId } = await t.newStoreWithKey("full", "Corner Shop"));
  const greenfieldKey = async (permissions: string[], forStore = storeId) =>
    (await t.keys.create({ storeId: forStore, name: "WooCommerce", access: "full", permissions })).key;
  pluginKey = await greenfieldKey(PLUGIN_POLICIES);
  noRefundKey = await greenfieldKey(PLUGIN_POLICIES.filter((p) => !p.includes("pullpayments")));
  managerKey = await greenfieldKey([`${S}canmanagepullpayments`]);
  const other = await t.newStoreWithKey("full", "Other shop");
  otherStoreKey = await greenfieldKey(PLUGIN_POLICIES, other.storeId);
});
afterAll(async () => t?.close());

async function greenfield(method: string, path: string, body?: unknown, key = pluginKey) {
  const res = await fetch(`${t.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${key}`, accept: "application/json", "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as unknown) : undefined };
}

/** The body exactly as the plugin's `createPullPayment` sends it. */
const pluginBody = (over: Record<string, unknown> = {}) => ({
  name: "Refund of order 1234; damaged in transit",
  amount: "12.50",
  currency: "USD",
  period: null,
  BOLT11Expiration: null,
  autoApproveClaims: false,
  startsAt: null,
  expiresAt: null,
  paymentMethods: ["BTC"],
  ...over,
});

const refundCount = async () => (await t.opened.db.repos().refunds.list(storeId, { limit: 1000, offset: 0 })).total;
const pullPayments = (id = storeId) => `/stores/${id}/pull-payments`;

describe("POST /stores/{storeId}/pull-payments", () => {
  it("makes a btpay refund and answers Greenfield's PullPaymentData with exact JSON types", async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await greenfield("POST", pullPayments(), pluginBody());
    expect(res.status).toBe(200);
    const pp = res.json as Record<string, unknown>;
    expect(Object.keys(pp).sort()).toEqual(
      [
        "BOLT11Expiration",
        "amount",
        "archived",
        "autoApproveClaims",
        "currency",
        "description",
        "expiresAt",
        "id",
        "name",
        "period",
        "startsAt",
        "viewLink",
      ].sort(),
    );
    expect(pp).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      name: "Refund of order 1234; damaged in transit",
      description: "",
      currency: "USD",
      amount: "12.50",
      period: null,
      BOLT11Expiration: 30,
      archived: false,
      autoApproveClaims: false,
      startsAt: expect.any(Number),
      expiresAt: null,
      viewLink: `${t.baseUrl}/pull-payments/${pp.id}`,
    });
    expect(Number.isInteger(pp.startsAt)).toBe(true);
    expect(pp.startsAt as number).toBeGreaterThanOrEqual(before - 1);
    // The viewLink is the payer's claim page.
    const page = await fetch(pp.viewLink as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("12.50 USD");
    const stored = await t.opened.db.repos().refunds.findByRef(pp.id as string);
    expect(stored).toMatchObject({ storeId, state: "awaiting_claim", amount: "12.5", currency: "USD" });
  });

  it("links the refund to the order's invoice when the plugin's name names the order", async () => {
    const invoice = await fetch(`${t.apiUrl}/invoices`, {
      method: "POST",
      headers: { authorization: `Bearer ${btpayKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        lines: [{ description: "Mug", quantity: 1, unit_price: "12.50" }],
        metadata: { orderId: "4321" },
      }),
    }).then((r) => r.json() as Promise<{ ref: string }>);
    const res = await greenfield("POST", pullPayments(), pluginBody({ name: "Refund of order 4321; wrong size" }));
    const refund = await fetch(`${t.apiUrl}/refunds/${(res.json as { id: string }).id}`, {
      headers: { authorization: `Bearer ${btpayKey}` },
    }).then((r) => r.json() as Promise<{ invoice_ref: string | null }>);
    expect(refund.invoice_ref).toBe(invoice.ref);
  });

  it("accepts the newer body (description, payoutMethods) and the plugin's sats mode", async () => {
    const res = await greenfield(
      "POST",
      pullPayments(),
      pluginBody({ description: "Reason: late", payoutMethods: ["BTC-CHAIN"], paymentMethods: undefined }),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ description: "Reason: late" });
    const sats = await greenfield("POST", pullPayments(), pluginBody({ amount: "50000", currency: "SATS" }));
    expect(sats.status).toBe(200);
    expect(sats.json).toMatchObject({ amount: "0.0005", currency: "BTC" });
  });

  it("403 missing-permission without a pull payment policy, or for another store; nothing is made", async () => {
    const before = await refundCount();
    for (const key of [noRefundKey, otherStoreKey]) {
      const res = await greenfield("POST", pullPayments(), pluginBody(), key);
      expect(res.status).toBe(403);
      expect(res.json).toEqual({ code: "missing-permission", message: expect.stringContaining("pullpayments") });
    }
    expect(await refundCount()).toBe(before);
  });

  it("422 with Greenfield's validation array for what btpay cannot take; nothing is made", async () => {
    const before = await refundCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x".repeat(51) }, "name"],
      [{ amount: "-1" }, "amount"],
      [{ amount: "abc" }, "amount"],
      [{ amount: null }, "amount"],
      [{ currency: "XYZ" }, "currency"],
      [{ paymentMethods: ["BTC-LN"] }, "paymentMethods"],
      [{ expiresAt: "tomorrow" }, "expiresAt"],
    ];
    for (const [over, path] of cases) {
      const res = await greenfield("POST", pullPayments(), pluginBody(over));
      expect(res.status, JSON.stringify(over)).toBe(422);
      expect(res.json).toEqual([{ path, message: expect.any(String) }]);
    }
    expect(await refundCount()).toBe(before);
  });
});

describe("GET, list and DELETE (archive)", () => {
  it("gets one, lists them, archives with a managing key (empty 200), then lists it only with includeArchived", async () => {
    const made = (await greenfield("POST", pullPayments(), pluginBody({ amount: "3" }))).json as { id: string };
    const one = await greenfield("GET", `${pullPayments()}/${made.id}`);
    expect(one).toMatchObject({ status: 200, json: { id: made.id, amount: "3.00", archived: false } });
    const listed = await greenfield("GET", pullPayments());
    expect(listed.status).toBe(200);
    expect((listed.json as { id: string }[]).map((p) => p.id)).toContain(made.id);

    // The plugin's key may create refunds but not archive them, as on BTCPay.
    expect((await greenfield("DELETE", `${pullPayments()}/${made.id}`)).status).toBe(403);
    const archived = await greenfield("DELETE", `${pullPayments()}/${made.id}`, undefined, managerKey);
    expect(archived).toMatchObject({ status: 200, text: "" });
    expect((await greenfield("GET", `${pullPayments()}/${made.id}`)).json).toMatchObject({ archived: true });
    const open = (await greenfield("GET", pullPayments())).json as { id: string }[];
    expect(open.map((p) => p.id)).not.toContain(made.id);
    const all = (await greenfield("GET", `${pullPayments()}?includeArchived=true`)).json as { id: string }[];
    expect(all.map((p) => p.id)).toContain(made.id);
    // The claim page then takes no address.
    expect(await (await fetch(`${t.baseUrl}/pull-payments/${made.id}`)).text()).toContain("cancelled");
  });

  it("an unknown id is Greenfield's 404 pullpayment-not-found", async () => {
    for (const method of ["GET", "DELETE"]) {
      const res = await greenfield(method, `${pullPayments()}/noSuchRefund000000000000`, undefined, managerKey);
      expect(res).toMatchObject({ status: 404, json: { code: "pullpayment-not-found", message: expect.any(String) } });
    }
  });
});
