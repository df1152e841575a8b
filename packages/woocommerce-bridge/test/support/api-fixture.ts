import { expect } from "vitest";
import { startTestServer, type TestServer } from "../../../server/test/helpers/test-server.js";
import { type Answer, greenfield, WOOCOMMERCE_PERMISSIONS } from "./greenfield-client.js";

// BIP-84 test vector account (mainnet): finalize needs a wallet to hand out addresses from.
const ZPUB =
  "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs";

/**
 * A server for the Greenfield API tests: a store with a wallet ("Woo shop", 1 BTC = 100,000 USD, a
 * 15-minute quote deadline) and its keys (the plugin's, a view-only one, btpay's own), and a second
 * store without a wallet with its own plugin key.
 */
export interface ApiFixture {
  t: TestServer;
  storeId: string;
  btpayKey: string;
  woo: string;
  viewOnly: string;
  otherStore: string;
  otherKey: string;
  gf(key: string | null, method: string, path: string, body?: unknown, scheme?: string): Promise<Answer>;
  /** btpay's own API with the store's Bearer key. */
  btpay(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Creates an invoice with the plugin's body; expects 200. */
  create(orderId: string, checkout?: Record<string, unknown>): Promise<Answer>;
}

export async function startApiFixture(): Promise<ApiFixture> {
  const t = await startTestServer({ env: { BTPAY_RATES_FIXED: "USD:100000", BTPAY_QUOTE_DEADLINE: "15" } });
  const { key: btpayKey, storeId } = await t.newStoreWithKey("full", "Woo shop");
  const gf = (key: string | null, method: string, path: string, body?: unknown, scheme?: string) =>
    greenfield(t.apiUrl, key, method, path, body, scheme);
  async function btpay(method: string, path: string, body?: unknown) {
    const res = await fetch(`${t.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${btpayKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  expect((await btpay("PUT", "/wallet", { xpub: ZPUB })).status).toBe(200);
  const plugin = { name: "WooCommerce", access: "read_only" as const, permissions: WOOCOMMERCE_PERMISSIONS };
  const woo = (await t.keys.create({ storeId, ...plugin })).key;
  const viewOnly = (
    await t.keys.create({
      storeId,
      name: "Reports",
      access: "read_only",
      permissions: ["btcpay.store.canviewinvoices"],
    })
  ).key;
  const other = await t.stores.create({ name: "Other shop" });
  const otherKey = (await t.keys.create({ storeId: other.id, ...plugin })).key;
  return {
    t,
    storeId,
    btpayKey,
    woo,
    viewOnly,
    otherStore: other.id,
    otherKey,
    gf,
    btpay,
    async create(orderId, checkout = {}) {
      const r = await gf(woo, "POST", `/stores/${storeId}/invoices`, pluginBody(orderId, checkout));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r;
    },
  };
}

/** The body the WooCommerce plugin sends (AbstractGateway::createInvoice through the PHP client). */
export function pluginBody(orderId: string, checkout: Record<string, unknown> = {}) {
  return {
    amount: "25.00",
    currency: "USD",
    metadata: {
      orderId,
      orderUrl: `https://shop.example/wp-admin/post.php?post=${orderId}&action=edit`,
      taxIncluded: "2.10",
      posData: JSON.stringify({ WooCommerce: { "Order ID": Number(orderId), "Order Number": orderId } }),
      buyerEmail: "ada@example.com",
      buyerName: "Ada Lovelace",
    },
    checkout: {
      speedPolicy: null,
      paymentMethods: ["BTC_CHAIN"],
      expirationMinutes: null,
      monitoringMinutes: null,
      paymentTolerance: null,
      redirectURL: `https://shop.example/checkout/order-received/${orderId}/`,
      redirectAutomatically: null,
      defaultLanguage: null,
      requiresRefundEmail: false,
      ...checkout,
    },
  };
}

/** Every field of a Greenfield invoice with its JSON type. */
export const INVOICE_TYPES = {
  id: "string",
  storeId: "string",
  amount: "string",
  paidAmount: "string",
  currency: "string",
  type: "string",
  checkoutLink: "string",
  createdTime: "number",
  expirationTime: "number",
  monitoringExpiration: "number",
  status: "string",
  additionalStatus: "string",
  availableStatusesForManualMarking: "array",
  archived: "boolean",
  metadata: "object",
  checkout: "object",
  receipt: "object",
};

/** An invoice's `checkout` as the plugin's body reads back (its redirect URL, no language). */
export const CHECKOUT_TYPES = {
  speedPolicy: "string",
  paymentMethods: "array",
  defaultPaymentMethod: "string",
  lazyPaymentMethods: "boolean",
  expirationMinutes: "number",
  monitoringMinutes: "number",
  paymentTolerance: "number",
  redirectURL: "string",
  redirectAutomatically: "boolean",
  requiresRefundEmail: "boolean",
  defaultLanguage: "null",
};
