import type { JsonType } from "./greenfield-client.js";

/**
 * What the "BTCPay for WooCommerce V2" plugin (v2.8, PHP client v2.9) asks for, sends and checks,
 * written down once for the tests that replay it: the connect URL and its permission checks, the
 * webhook it registers, the invoice and refund bodies, and the JSON types its getters read.
 */

/** GreenfieldApiAuthorization::REQUIRED_PERMISSIONS. */
export const REQUIRED_PERMISSIONS = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
];
/** GreenfieldApiAuthorization::OPTIONAL_PERMISSIONS (refunds, webhook management). */
export const OPTIONAL_PERMISSIONS = [
  "btcpay.store.cancreatenonapprovedpullpayments",
  "btcpay.store.webhooks.canmodifywebhooks",
];

/** `{server}/api-keys/authorize?...` as GreenfieldApiAuthorization::getAuthorizeUrl builds it. */
export function authorizePath(redirect: string): string {
  const q = new URLSearchParams([...REQUIRED_PERMISSIONS, ...OPTIONAL_PERMISSIONS].map((p) => ["permissions", p]));
  q.set("applicationName", "WooCommerce");
  q.set("strict", "true");
  q.set("selectiveStores", "true");
  q.set("redirect", redirect);
  return `/api-keys/authorize?${q}`;
}

/** hasSingleStore(): every permission is `policy:storeId`, all with the same store; that store, or null. */
export function singleStore(permissions: string[]): string | null {
  const stores = new Set(permissions.map((p) => (p.split(":").length === 2 ? p.split(":")[1] : "")));
  const [only] = stores;
  return stores.size === 1 && only ? only : null;
}

/** hasRequiredPermissions(): once the optional ones are set aside, exactly the required ones remain. */
export function hasRequiredPermissions(permissions: string[]): boolean {
  const policies = permissions.map((p) => p.split(":")[0] ?? "").filter((p) => !OPTIONAL_PERMISSIONS.includes(p));
  return policies.length === REQUIRED_PERMISSIONS.length && REQUIRED_PERMISSIONS.every((p) => policies.includes(p));
}

/** `version_compare($a, $b) >= 0` for dotted versions. */
export function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

/** GreenfieldApiWebhook::WEBHOOK_EVENTS. */
export const WEBHOOK_EVENTS = [
  "InvoiceReceivedPayment",
  "InvoicePaymentSettled",
  "InvoiceProcessing",
  "InvoiceExpired",
  "InvoiceSettled",
  "InvoiceInvalid",
];

/** GreenfieldApiWebhook::registerWebhook -> Webhook::createWebhook(storeId, url, events, null). */
export const webhookBody = (url: string) => ({
  enabled: true,
  automaticRedelivery: true,
  url,
  authorizedEvents: { everything: false, specificEvents: WEBHOOK_EVENTS },
});

const SHOP = "https://shop.example";

/** What AbstractGateway::createInvoice sends for an order (no customer data: the plugin's default). */
export function checkoutBody(orderNumber: string) {
  const orderUrl = `${SHOP}/wp-admin/post.php?post=${orderNumber}&action=edit`;
  return {
    amount: "25.00",
    currency: "USD",
    metadata: {
      orderId: orderNumber,
      orderUrl,
      taxIncluded: 0,
      posData: JSON.stringify({
        WooCommerce: {
          "Order ID": Number(orderNumber),
          "Order Number": orderNumber,
          "Order URL": orderUrl,
          "Plugin Version": "2.8.0",
        },
      }),
    },
    // InvoiceCheckoutOptions::toArray(): every property, null where the shop keeps the store default.
    checkout: {
      speedPolicy: null,
      paymentMethods: ["BTC_CHAIN"],
      expirationMinutes: null,
      monitoringMinutes: null,
      paymentTolerance: null,
      redirectURL: `${SHOP}/checkout/order-received/${orderNumber}/?key=wc_order_x`,
      redirectAutomatically: null,
      defaultLanguage: null,
      requiresRefundEmail: false,
    },
  };
}

/** AbstractGateway::process_refund -> PullPayment::createPullPayment: the name is cut at 50 characters. */
export function refundBody(orderNumber: string, amount: string, reason: string) {
  return {
    name: `Refund of order ${orderNumber}; ${reason}`.slice(0, 50),
    amount,
    currency: "USD",
    period: null,
    BOLT11Expiration: null,
    autoApproveClaims: false,
    startsAt: null,
    expiresAt: null,
    paymentMethods: ["BTC"],
    payoutMethods: ["BTC"],
  };
}

type Types = Record<string, JsonType>;

/** Every Greenfield webhook body: the fields the plugin's WebhookInvoiceEvent reads. */
const HOOK_COMMON: Types = {
  deliveryId: "string",
  webhookId: "string",
  originalDeliveryId: "string",
  isRedelivery: "boolean",
  type: "string",
  timestamp: "number",
  storeId: "string",
  invoiceId: "string",
  metadata: "object",
};
const PAYMENT_EVENT: Types = { afterExpiration: "boolean", paymentMethodId: "string", payment: "object" };

/** The exact field set and JSON types of each webhook the plugin subscribes to. */
export const WEBHOOK_TYPES: Record<string, Types> = {
  InvoiceReceivedPayment: { ...HOOK_COMMON, ...PAYMENT_EVENT },
  InvoicePaymentSettled: { ...HOOK_COMMON, ...PAYMENT_EVENT },
  InvoiceProcessing: { ...HOOK_COMMON, overPaid: "boolean" },
  InvoiceSettled: { ...HOOK_COMMON, manuallyMarked: "boolean", overPaid: "boolean" },
  InvoiceExpired: { ...HOOK_COMMON, partiallyPaid: "boolean" },
  InvoiceInvalid: { ...HOOK_COMMON, manuallyMarked: "boolean" },
};

/** A payment inside InvoiceReceivedPayment / InvoicePaymentSettled and in `payments[]` of payment-methods. */
export const PAYMENT_TYPES: Types = {
  id: "string",
  receivedDate: "number",
  value: "string",
  fee: "string",
  status: "string",
  destination: "string",
};

/** Every field of an invoice's payment method (BTCPay 2.x names and their 1.x aliases). */
export const PAYMENT_METHOD_TYPES: Types = {
  paymentMethodId: "string",
  paymentMethod: "string",
  currency: "string",
  cryptoCode: "string",
  destination: "string",
  paymentLink: "string",
  rate: "string",
  paymentMethodPaid: "string",
  totalPaid: "string",
  due: "string",
  amount: "string",
  paymentMethodFee: "string",
  networkFee: "string",
  payments: "array",
  activated: "boolean",
  additionalData: "object",
};

/** The answer to the refund's pull payment (Greenfield PullPaymentData). */
export const PULL_PAYMENT_TYPES: Types = {
  id: "string",
  name: "string",
  description: "string",
  currency: "string",
  amount: "string",
  period: "null",
  BOLT11Expiration: "number",
  archived: "boolean",
  autoApproveClaims: "boolean",
  startsAt: "number",
  expiresAt: "null",
  viewLink: "string",
};
