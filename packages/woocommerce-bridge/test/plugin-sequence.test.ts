import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevNode, startDevNode } from "../../server/src/chain/devchain/dev-node.js";
import { UserService } from "../../server/src/services/users.js";
import { type CoreRpc, coreRpc } from "../../server/test/chain/helpers/core-rpc.js";
import { MONITORING_MINUTES, QUOTE_MINUTES } from "../../server/test/chain/helpers/watch-harness.js";
import { AdminBrowser, autoSubmitForm, csrfOf, submit } from "./support/admin-browser.js";
import { CHECKOUT_TYPES, INVOICE_TYPES } from "./support/api-fixture.js";
import { type DevchainServer, startDevchainServer } from "./support/devchain-server.js";
import { type Answer, BTC_AMOUNT, greenfield, types } from "./support/greenfield-client.js";
import {
  brief,
  type HookBody,
  phpPost,
  receivedWebhooks,
  type Shop,
  signatureValid,
  startShop,
} from "./support/shop.js";
import {
  authorizePath,
  checkoutBody,
  hasRequiredPermissions,
  OPTIONAL_PERMISSIONS,
  PAYMENT_METHOD_TYPES,
  PAYMENT_TYPES,
  PULL_PAYMENT_TYPES,
  REQUIRED_PERMISSIONS,
  refundBody,
  singleStore,
  versionAtLeast,
  WEBHOOK_EVENTS,
  webhookBody,
} from "./support/woocommerce-plugin.js";

// The "BTCPay for WooCommerce V2" plugin (v2.8, PHP client v2.9) replayed call by call against a
// btpay server on devchain, from the admin's first click to a refund: what it sends, and the exact
// JSON types its getters read back. The shop is a real HTTP server on loopback that receives the
// key and the signed webhooks. 1 BTC = 100,000 USD, so a $25.00 order is 25,000 sats.

const OWNER = "owner@shop.example";
const PASSWORD = "correct horse battery staple";

let node: DevNode;
let rpc: CoreRpc;
let s: DevchainServer;
let shop: Shop;
let storeId: string;
let ownerId: string;
let apiKey: string;
let granted: string[];
let hook: { id: string; secret: string };
/** Each order's invoice, as the plugin stores it on the order (BTCPay_id) and its checkout shows it. */
const orders = new Map<string, { id: string; address: string; dueSats: bigint }>();
function order(n: string) {
  const o = orders.get(n);
  if (!o) throw new Error(`order ${n} has no invoice yet`);
  return o;
}

const call = (method: string, path: string, body?: unknown): Promise<Answer> =>
  greenfield(s.t.apiUrl, apiKey, method, path, body);
const invoice = async (n: string) => (await call("GET", `/stores/${storeId}/invoices/${order(n).id}`)).body;
const paymentMethods = async (n: string) =>
  (await call("GET", `/stores/${storeId}/invoices/${order(n).id}/payment-methods`)).body;
/** btpay's own status of the order's invoice (what the merchant sees in btpay). */
const btpayStatus = async (n: string) => (await s.btpay("GET", `/invoices/${order(n).id}`)).body.status;

/** AbstractGateway::createInvoice for an order, then the payment-methods call the checkout page makes. */
async function checkout(n: string) {
  const created = await call("POST", `/stores/${storeId}/invoices`, checkoutBody(n));
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  expect(types(created.body)).toEqual(INVOICE_TYPES);
  expect(created.body.checkoutLink).toBe(`${s.t.baseUrl}/i/${created.body.id}`);
  const [pm] = (await call("GET", `/stores/${storeId}/invoices/${created.body.id}/payment-methods`)).body;
  orders.set(n, { id: created.body.id, address: pm.destination, dueSats: BigInt(pm.amount.replace(".", "")) });
  return order(n);
}

/** The webhooks that arrived for an order: all signatures checked, each body typed (support/shop.ts). */
const hooksFor = (n: string) =>
  receivedWebhooks(shop, hook, { storeId, invoiceId: order(n).id, metadata: checkoutBody(n).metadata });

beforeAll(async () => {
  node = await startDevNode();
  rpc = coreRpc(node.rpc.url);
  s = await startDevchainServer(node, "Woo shop");
  storeId = s.storeId;
  shop = await startShop();
  // The shop owner, as `btpay user create` and `btpay store set-owner` make them.
  const users = new UserService(s.t.opened.db);
  ownerId = (await users.create({ email: OWNER, password: PASSWORD })).id;
  await users.setStoreOwner(storeId, OWNER);
  await s.tick(); // the watcher's first pass records the chain tip
});
afterAll(async () => {
  await s?.close();
  await shop?.close();
  await node?.close();
});

describe("1. connect: the admin's browser at /api-keys/authorize", () => {
  it("signs in as the store owner, picks the store, and the shop receives apiKey, userId and permissions[]", async () => {
    const browser = new AdminBrowser(s.t.baseUrl);
    const path = authorizePath(shop.settingsCallback);
    const signIn = await browser.request(path);
    expect(signIn.status).toBe(200);
    expect(signIn.html).toContain('name="password"');
    const login = { step: "login", csrf: csrfOf(signIn.html), email: OWNER, password: PASSWORD };
    const signedIn = await browser.request(path, login);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe(path);

    const consent = await browser.request(path);
    expect(consent.status).toBe(200);
    expect(consent.html).toContain("Authorize WooCommerce");
    expect(consent.html).toContain(`value="${storeId}"`);
    const answer = await browser.request(path, { step: "authorize", csrf: csrfOf(consent.html), storeId });
    expect(answer.status).toBe(200);
    const form = autoSubmitForm(answer.html);
    expect(form.action).toBe(shop.settingsCallback);
    expect(await submit(form)).toBe(200);

    // The settings callback reads $_POST.
    const callbacks = shop.requests.filter((r) => r.method === "POST" && r.path === "/?btcpay-settings-callback");
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const post = phpPost(callbacks[0]?.raw ?? Buffer.alloc(0));
    expect(types(post)).toEqual({ apiKey: "string", userId: "string", permissions: "array" });
    expect(post.userId).toBe(ownerId);
    // WordPress's sanitize_text_field keeps the key intact only in this alphabet.
    expect(post.apiKey).toMatch(/^[A-Za-z0-9_-]+$/);
    apiKey = post.apiKey as string;
    granted = post.permissions as string[];
  });

  it("passes the plugin's checks: one store for every permission, exactly the four required once the optional are set aside", () => {
    expect(singleStore(granted)).toBe(storeId);
    expect(hasRequiredPermissions(granted)).toBe(true);
    expect(granted).toEqual([...REQUIRED_PERMISSIONS, ...OPTIONAL_PERMISSIONS].map((p) => `${p}:${storeId}`));
    // And the checks do refuse what they must (a missing or an extra required permission).
    expect(hasRequiredPermissions(granted.slice(1))).toBe(false);
    expect(hasRequiredPermissions([...granted, `btcpay.store.canmodifystoresettings:${storeId}`])).toBe(false);
  });
});

describe("2. save settings", () => {
  it("GET /stores, /api-keys/current, /server/info, /stores/{id}/payment-methods", async () => {
    // GreenfieldApiHelper::checkApiConnection: the store list must not be empty.
    const stores = await call("GET", "/stores");
    expect(stores.status).toBe(200);
    expect(stores.body.map((x: { id: string }) => x.id)).toEqual([storeId]);
    expect(types(stores.body[0])).toMatchObject({
      id: "string",
      name: "string",
      defaultCurrency: "string",
      invoiceExpiration: "number",
      monitoringExpiration: "number",
      speedPolicy: "string",
      paymentTolerance: "number",
      archived: "boolean",
    });

    // GlobalSettings::save -> ApiKey::getCurrent: the same key and permissions as posted.
    const current = await call("GET", "/api-keys/current");
    expect(current.status).toBe(200);
    expect(types(current.body)).toEqual({ apiKey: "string", label: "string", permissions: "array" });
    expect(current.body.apiKey).toBe(apiKey);
    expect([...current.body.permissions].sort()).toEqual([...granted].sort());

    // GreenfieldApiHelper::getServerInfo: fullySynched, and version >= 1.7.6 for refunds.
    const info = await call("GET", "/server/info");
    expect(info.status).toBe(200);
    expect(types(info.body)).toEqual({
      version: "string",
      onion: "null",
      supportedPaymentMethods: "array",
      fullySynched: "boolean",
      syncStatus: "array",
    });
    expect(info.body.fullySynched).toBe(true);
    expect(versionAtLeast(info.body.version, "1.7.6")).toBe(true);

    // GreenfieldApiHelper::supportedPaymentMethods: the enabled ones.
    const pms = await call("GET", `/stores/${storeId}/payment-methods`);
    expect(pms.status).toBe(200);
    expect(pms.body).toHaveLength(1);
    expect(types(pms.body[0])).toEqual({
      paymentMethodId: "string",
      paymentMethod: "string",
      cryptoCode: "string",
      enabled: "boolean",
    });
    expect(pms.body[0]).toMatchObject({ paymentMethodId: "BTC-CHAIN", enabled: true });
  });

  it("POST /stores/{id}/webhooks with the plugin's body (no secret), then GET it back by id", async () => {
    const created = await call("POST", `/stores/${storeId}/webhooks`, webhookBody(shop.webhookUrl));
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(types(created.body)).toEqual({
      id: "string",
      enabled: "boolean",
      automaticRedelivery: "boolean",
      url: "string",
      authorizedEvents: "object",
      secret: "string",
    });
    expect(created.body).toMatchObject({
      url: shop.webhookUrl,
      enabled: true,
      automaticRedelivery: true,
      authorizedEvents: { everything: false, specificEvents: WEBHOOK_EVENTS },
    });
    expect(created.body.secret.length).toBeGreaterThanOrEqual(16);
    hook = { id: created.body.id, secret: created.body.secret };

    // GreenfieldApiWebhook::webhookExists on the next save: same id, same url; the secret is not shown again.
    const got = await call("GET", `/stores/${storeId}/webhooks/${hook.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ ...created.body, secret: undefined });
    expect(got.body).not.toHaveProperty("secret");
  });
});

describe("3. checkout, payment on devchain, and the webhooks the shop receives", () => {
  it("checkout: POST the plugin's invoice body, GET it back (AbstractGateway::validInvoiceExists)", async () => {
    const { dueSats } = await checkout("101");
    expect(dueSats).toBe(25_000n);
    const fresh = await invoice("101");
    expect(types(fresh)).toEqual(INVOICE_TYPES);
    expect(types(fresh.checkout)).toEqual(CHECKOUT_TYPES);
    expect(fresh).toMatchObject({ status: "New", additionalStatus: "None", amount: "25.00", paidAmount: "0.00" });
    expect(fresh.metadata).toEqual(checkoutBody("101").metadata);
    expect(fresh.checkout.paymentMethods).toEqual(["BTC-CHAIN"]);
    await s.tick();
    expect(hooksFor("101")).toEqual([]); // InvoiceCreated is not among the six events
  });

  it("pay -> InvoiceReceivedPayment, InvoiceProcessing; the invoice is Processing", async () => {
    const o = order("101");
    const txid = await rpc.pay(o.address, o.dueSats);
    await s.tick();
    const hooks = hooksFor("101");
    expect(brief(hooks)).toEqual([
      { type: "InvoiceReceivedPayment", afterExpiration: false },
      { type: "InvoiceProcessing", overPaid: false },
    ]);
    expect(hooks[0]?.payment).toEqual({
      id: expect.stringMatching(new RegExp(`^${txid}-[0-9]+$`)),
      receivedDate: expect.any(Number),
      value: "0.00025000",
      fee: "0.00000000",
      status: "Processing",
      destination: o.address,
    });
    expect(await invoice("101")).toMatchObject({ status: "Processing", additionalStatus: "None" });
  });

  it("mine -> InvoicePaymentSettled, InvoiceSettled; then the payment-methods call, every field typed", async () => {
    await rpc.mine(1);
    await s.tick();
    expect(brief(hooksFor("101").slice(2))).toEqual([
      { type: "InvoicePaymentSettled", afterExpiration: false },
      { type: "InvoiceSettled", manuallyMarked: false, overPaid: false },
    ]);
    expect(hooksFor("101")[2]?.payment).toMatchObject({ status: "Settled", value: "0.00025000" });
    const settled = await invoice("101");
    expect(types(settled)).toEqual(INVOICE_TYPES);
    expect(settled).toMatchObject({ status: "Settled", additionalStatus: "None", paidAmount: "25.00" });

    // AbstractGateway::updateWCOrderPayments on InvoiceSettled.
    const pms = await paymentMethods("101");
    expect(pms).toHaveLength(1);
    expect(types(pms[0])).toEqual(PAYMENT_METHOD_TYPES);
    expect(pms[0]).toMatchObject({ paymentMethodId: "BTC-CHAIN", rate: "100000", paymentMethodPaid: "0.00025000" });
    for (const f of ["paymentMethodPaid", "totalPaid", "due", "amount", "networkFee"])
      expect(pms[0][f]).toMatch(BTC_AMOUNT);
    expect(types(pms[0].payments[0])).toEqual(PAYMENT_TYPES);
    expect(pms[0].payments[0]).toMatchObject({ value: "0.00025000", fee: "0.00000000", status: "Settled" });
  });

  it("an overpayment: InvoiceProcessing and InvoiceSettled say overPaid; PaidOver", async () => {
    const o = await checkout("102");
    await rpc.pay(o.address, o.dueSats + 5_000n);
    await s.tick();
    expect(await invoice("102")).toMatchObject({ status: "Processing", additionalStatus: "PaidOver" });
    await rpc.mine(1);
    await s.tick();
    expect(brief(hooksFor("102"))).toEqual([
      { type: "InvoiceReceivedPayment", afterExpiration: false },
      { type: "InvoiceProcessing", overPaid: true },
      { type: "InvoicePaymentSettled", afterExpiration: false },
      { type: "InvoiceSettled", manuallyMarked: false, overPaid: true },
    ]);
    expect(await invoice("102")).toMatchObject({ status: "Settled", additionalStatus: "PaidOver" });
    expect((await paymentMethods("102"))[0]).toMatchObject({ totalPaid: "0.00030000", due: "0.00000000" });
  });
});

describe("4. expiry and a late payment", () => {
  it("nothing paid by the deadline -> InvoiceExpired partiallyPaid false; Expired", async () => {
    await checkout("103");
    s.clock.advanceMinutes(QUOTE_MINUTES + 1);
    await s.tick();
    expect(brief(hooksFor("103"))).toEqual([{ type: "InvoiceExpired", partiallyPaid: false }]);
    const expired = await invoice("103");
    expect(expired).toMatchObject({ status: "Expired", additionalStatus: "None" });
    expect(expired.availableStatusesForManualMarking).toEqual(["Settled", "Invalid"]);
  });

  it("paid anyway -> InvoiceReceivedPayment afterExpiration true, Expired/PaidLate; confirmed -> InvoicePaymentSettled", async () => {
    const o = order("103");
    await rpc.pay(o.address, o.dueSats);
    await s.tick();
    expect(brief(hooksFor("103")).slice(1)).toEqual([{ type: "InvoiceReceivedPayment", afterExpiration: true }]);
    // GreenfieldApiHelper::invoiceIsFullyPaid: Settled, or PaidLate.
    const late = await invoice("103");
    expect(late).toMatchObject({ status: "Expired", additionalStatus: "PaidLate" });
    await rpc.mine(1);
    await s.tick();
    expect(brief(hooksFor("103")).slice(2)).toEqual([{ type: "InvoicePaymentSettled", afterExpiration: true }]);
    expect(await invoice("103")).toMatchObject({ status: "Expired", additionalStatus: "PaidLate" });
    const [pm] = await paymentMethods("103");
    expect(types(pm)).toEqual(PAYMENT_METHOD_TYPES);
    expect(pm).toMatchObject({ paymentMethodPaid: "0.00025000", due: "0.00000000" });
    expect(pm.payments[0].receivedDate).toBeGreaterThan(late.expirationTime);
  });
});

describe("5. the other endings", () => {
  it("partly paid: at the deadline InvoiceExpired partiallyPaid true, Expired/PaidPartial", async () => {
    const o = await checkout("104");
    await rpc.pay(o.address, 10_000n);
    await s.tick();
    expect(await invoice("104")).toMatchObject({ status: "New", additionalStatus: "PaidPartial" });
    s.clock.advanceMinutes(QUOTE_MINUTES + 1);
    await s.tick();
    // As BTCPay: the expiry is announced at `expirationTime`, when GET first says Expired.
    expect(brief(hooksFor("104"))).toEqual([
      { type: "InvoiceReceivedPayment", afterExpiration: false },
      { type: "InvoiceExpired", partiallyPaid: true },
    ]);
    expect(await invoice("104")).toMatchObject({ status: "Expired", additionalStatus: "PaidPartial" });
    expect(await btpayStatus("104")).toBe("expired");
  });

  it("partly paid, the rest after the deadline -> stays Expired, now PaidLate (the plugin: fully paid)", async () => {
    const o = await checkout("107");
    await rpc.pay(o.address, 10_000n);
    await s.tick();
    s.clock.advanceMinutes(QUOTE_MINUTES + 1);
    await s.tick();
    expect(await invoice("107")).toMatchObject({ status: "Expired", additionalStatus: "PaidPartial" });
    expect(await btpayStatus("107")).toBe("expired");
    await rpc.pay(o.address, 15_000n);
    await s.tick();
    // As BTCPay: an expired invoice never goes back; the late rest makes it PaidLate.
    expect(await invoice("107")).toMatchObject({ status: "Expired", additionalStatus: "PaidLate" });
    await rpc.mine(1);
    await s.tick();
    expect(await invoice("107")).toMatchObject({ status: "Expired", additionalStatus: "PaidLate" });
    expect(brief(hooksFor("107"))).toEqual([
      { type: "InvoiceReceivedPayment", afterExpiration: false },
      { type: "InvoiceExpired", partiallyPaid: true },
      { type: "InvoiceReceivedPayment", afterExpiration: true },
      { type: "InvoicePaymentSettled", afterExpiration: false },
      { type: "InvoicePaymentSettled", afterExpiration: true },
    ]);
    expect((await paymentMethods("107"))[0].payments).toHaveLength(2);
  });

  it("paid but unconfirmed at the monitoring expiration: InvoiceInvalid; a confirmation after that changes nothing", async () => {
    const o = await checkout("106");
    await rpc.pay(o.address, o.dueSats);
    await s.tick();
    s.clock.advanceMinutes(QUOTE_MINUTES + MONITORING_MINUTES + 1);
    await s.tick();
    const invalid = await invoice("106");
    expect(invalid).toMatchObject({ status: "Invalid", additionalStatus: "None" });
    expect(invalid.availableStatusesForManualMarking).toEqual(["Settled"]);
    // As BTCPay: the moment is announced (the plugin fails the order), and a confirmation after that
    // is a payment event only: the invoice stays Invalid (the merchant may still mark it Settled).
    await rpc.mine(1);
    await s.tick();
    expect(brief(hooksFor("106"))).toEqual([
      { type: "InvoiceReceivedPayment", afterExpiration: false },
      { type: "InvoiceProcessing", overPaid: false },
      { type: "InvoiceInvalid", manuallyMarked: false },
      { type: "InvoicePaymentSettled", afterExpiration: false },
    ]);
    expect(await invoice("106")).toMatchObject({ status: "Invalid", additionalStatus: "None" });
  });

  it("a changed gateway: the plugin marks the old invoice Invalid -> InvoiceInvalid manuallyMarked true", async () => {
    await checkout("105");
    const old = order("105").id;
    const marked = await call("POST", `/stores/${storeId}/invoices/${old}/status`, { status: "Invalid" });
    expect(marked.status).toBe(200);
    expect(types(marked.body)).toEqual(INVOICE_TYPES);
    expect(marked.body).toMatchObject({ status: "Invalid", additionalStatus: "Marked" });
    await s.tick();
    expect(brief(hooksFor("105"))).toEqual([{ type: "InvoiceInvalid", manuallyMarked: true }]);
    expect(await btpayStatus("105")).toBe("cancelled");
    // validInvoiceExists now says no: a new invoice for the order; both are found by the order id.
    const again = await checkout("105");
    expect(again.id).not.toBe(old);
    const found = await call("GET", `/stores/${storeId}/invoices?orderId=105`);
    expect(found.body.map((i: { id: string }) => i.id)).toEqual([again.id, old]);
  });

  it("every delivery reached the shop once, signed, and only the six events were sent", () => {
    const bodies = shop.webhooks().map((r) => JSON.parse(r.raw.toString("utf8")) as HookBody);
    expect(new Set(bodies.map((b) => b.deliveryId)).size).toBe(bodies.length);
    expect(bodies.every((b) => WEBHOOK_EVENTS.includes(b.type))).toBe(true);
    expect(shop.webhooks().every((r) => signatureValid(r, hook.secret))).toBe(true);
  });
});

describe("6. refund of order 101", () => {
  let pp: { id: string; viewLink: string };
  let claimed: Record<string, unknown>;

  it("POST /stores/{id}/pull-payments with the plugin's body -> id and viewLink", async () => {
    const body = refundBody("101", "10.00", "damaged in transit");
    const res = await call("POST", `/stores/${storeId}/pull-payments`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(types(res.body)).toEqual(PULL_PAYMENT_TYPES);
    expect(res.body).toMatchObject({ name: "Refund of order 101; damaged in transit", amount: "10.00" });
    expect(res.body.viewLink).toBe(`${s.t.baseUrl}/pull-payments/${res.body.id}`);
    pp = res.body;
  });

  it("the customer opens viewLink and claims with an address of their regtest wallet", async () => {
    const page = await fetch(pp.viewLink);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("10.00 USD");
    const address = await rpc.call<string>("getnewaddress");
    const res = await fetch(pp.viewLink, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ address }),
    });
    expect(res.status).toBe(303);

    // The merchant sees the claim through btpay's own API: where to send how much.
    const list = await s.btpay("GET", "/refunds?status=claimed");
    expect(list.status).toBe(200);
    const refunds = list.body.refunds as Record<string, unknown>[];
    expect(refunds.map((r) => r.ref)).toEqual([pp.id]);
    claimed = refunds[0] as Record<string, unknown>;
    // Every field and its exact type; sats and decimals are strings, times integers.
    expect(claimed).toEqual({
      ref: pp.id,
      status: "claimed",
      name: "Refund of order 101; damaged in transit",
      description: null,
      amount: "10.00",
      currency: "USD",
      invoice_ref: order("101").id,
      claim_url: pp.viewLink,
      claim_address: address,
      claim_amount_sats: "10000",
      claim_btc_amount: "0.00010000",
      claim_rate: "100000",
      txid: null,
      created_at: expect.any(Number),
      claimed_at: expect.any(Number),
      paid_at: null,
      expires_at: null,
    });
    expect(Number.isInteger(claimed.claimed_at)).toBe(true);
  });

  it("the merchant pays it on devchain and marks it paid; the claim page shows the txid", async () => {
    const txid = await rpc.pay(String(claimed.claim_address), BigInt(String(claimed.claim_amount_sats)));
    await rpc.mine(1);
    type Tx = { vout: { value: number; scriptPubKey: { address?: string } }[] };
    const tx = await rpc.call<Tx>("getrawtransaction", [txid, true]);
    const out = tx.vout.find((o) => o.scriptPubKey.address === claimed.claim_address);
    expect(out?.value).toBe(0.0001);
    const paid = await s.btpay("POST", `/refunds/${pp.id}/paid`, { txid });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", txid, paid_at: expect.any(Number) });
    const html = await (await fetch(pp.viewLink)).text();
    expect(html).toContain("Paid");
    expect(html).toContain(txid);
  });
});
