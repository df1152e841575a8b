import { type FieldError, GreenfieldValidationError } from "../errors.js";
import { isSpeedPolicy, SPEED_POLICIES } from "../speed-policy.js";
import { type CanonicalPaymentMethod, canonicalPaymentMethod, ONCHAIN } from "../status-map.js";
import type { CheckoutOptions, NewGreenfieldInvoice } from "./backend.js";

/**
 * `POST /stores/{storeId}/invoices` as shop plugins send it: `amount` a decimal string (a JSON
 * number is taken too), `currency`, `metadata` kept as given (`posData` is a JSON-encoded STRING from
 * the WooCommerce plugin and stays one), and `checkout` whose keys are all present with `null`
 * meaning "the store's default". Every problem is collected into one 422 array.
 *
 * Payment methods: every spelling is accepted. btpay takes on-chain bitcoin only, so Lightning ids
 * are dropped when `BTC-CHAIN` is asked too (a shop offering "bitcoin or Lightning" still gets a
 * payable invoice) and refused when Lightning is all that is asked (422: it could never be paid).
 */

const DECIMAL = /^[0-9]{1,20}(\.[0-9]{1,18})?$/;
const MAX_MINUTES = 43_200; // 30 days, as BTPAY_QUOTE_DEADLINE / BTPAY_MONITORING_MINUTES allow

export function parseCreateInvoice(body: unknown): NewGreenfieldInvoice {
  const errors: FieldError[] = [];
  const fail = (path: string, message: string) => {
    errors.push({ path, message });
    return null;
  };
  if (!isObject(body)) throw new GreenfieldValidationError([{ path: "", message: "the body must be a JSON object" }]);

  let amount: string | null = null;
  if (body.amount === undefined || body.amount === null) {
    fail("amount", "is required: btpay has no top-up (open amount) invoices");
  } else {
    amount = decimalText(body.amount);
    if (amount === null) fail("amount", 'must be a positive decimal number such as "25.00"');
    else if (!/[1-9]/.test(amount)) amount = fail("amount", "must be greater than 0");
  }
  if (body.type !== undefined && body.type !== null && body.type !== "Standard")
    fail("type", 'btpay makes "Standard" invoices only');

  let currency: string | null = null;
  if (typeof body.currency !== "string" || body.currency.trim() === "" || body.currency.length > 10)
    fail("currency", 'is required, an ISO 4217 code such as "USD"');
  else currency = body.currency.trim().toUpperCase();

  let metadata: Record<string, unknown> = {};
  if (isObject(body.metadata)) metadata = body.metadata;
  else if (body.metadata !== undefined && body.metadata !== null) fail("metadata", "must be a JSON object");

  const checkout = parseCheckout(body.checkout, fail);
  if (errors.length > 0 || amount === null || currency === null) throw new GreenfieldValidationError(errors);

  const tolerance = checkout.paymentTolerance;
  return {
    amount,
    currency,
    description: lineDescription(metadata),
    customerEmail: text(metadata.buyerEmail, 320, /^[^\s@]+@[^\s@]+$/),
    customerName: text(metadata.buyerName, 200),
    metadata,
    requiredConfirmations: checkout.speedPolicy === null ? null : SPEED_POLICIES[checkout.speedPolicy],
    underpaymentTolerancePercent: tolerance,
    expirationMinutes: checkout.expirationMinutes,
    monitoringMinutes: checkout.monitoringMinutes,
    redirectUrl: checkout.redirectURL,
    checkout,
  };
}

function parseCheckout(raw: unknown, fail: (path: string, message: string) => null): CheckoutOptions {
  const options: CheckoutOptions = {
    speedPolicy: null,
    paymentMethods: null,
    expirationMinutes: null,
    monitoringMinutes: null,
    paymentTolerance: null,
    redirectURL: null,
    redirectAutomatically: null,
    defaultLanguage: null,
    requiresRefundEmail: null,
  };
  if (raw === undefined || raw === null) return options;
  if (!isObject(raw)) {
    fail("checkout", "must be a JSON object");
    return options;
  }
  const given = (key: string) => raw[key] !== undefined && raw[key] !== null;

  if (given("speedPolicy")) {
    if (isSpeedPolicy(raw.speedPolicy)) options.speedPolicy = raw.speedPolicy;
    else fail("checkout.speedPolicy", `must be one of ${Object.keys(SPEED_POLICIES).join(", ")}`);
  }
  if (given("paymentMethods")) options.paymentMethods = paymentMethods(raw.paymentMethods, fail);
  if (given("expirationMinutes"))
    options.expirationMinutes = minutes(raw.expirationMinutes, 1, "checkout.expirationMinutes", fail);
  if (given("monitoringMinutes"))
    options.monitoringMinutes = minutes(raw.monitoringMinutes, 0, "checkout.monitoringMinutes", fail);
  if (given("paymentTolerance")) {
    const t = decimalText(raw.paymentTolerance);
    const [whole = "", fraction = ""] = t?.split(".") ?? [];
    if (t === null || Number(whole) >= 100 || fraction.length > 6)
      fail("checkout.paymentTolerance", "must be a percentage from 0 to below 100, with at most 6 decimals");
    else options.paymentTolerance = t;
  }
  if (given("redirectURL") && raw.redirectURL !== "") {
    if (isHttpUrl(raw.redirectURL)) options.redirectURL = raw.redirectURL;
    else fail("checkout.redirectURL", "must be an http or https URL");
  }
  if (given("redirectAutomatically")) {
    if (typeof raw.redirectAutomatically === "boolean") options.redirectAutomatically = raw.redirectAutomatically;
    else fail("checkout.redirectAutomatically", "must be true or false");
  }
  if (given("defaultLanguage")) {
    if (typeof raw.defaultLanguage === "string" && raw.defaultLanguage.length <= 20)
      options.defaultLanguage = raw.defaultLanguage;
    else fail("checkout.defaultLanguage", 'must be a language code such as "en"');
  }
  if (given("requiresRefundEmail")) {
    if (typeof raw.requiresRefundEmail === "boolean") options.requiresRefundEmail = raw.requiresRefundEmail;
    else fail("checkout.requiresRefundEmail", "must be true or false");
  }
  return options;
}

function paymentMethods(raw: unknown, fail: (path: string, message: string) => null): CanonicalPaymentMethod[] | null {
  const path = "checkout.paymentMethods";
  if (!Array.isArray(raw) || !raw.every((m) => typeof m === "string"))
    return fail(path, 'must be an array of payment-method ids such as "BTC-CHAIN"');
  if (raw.length === 0) return null;
  const canonical = raw.map(canonicalPaymentMethod);
  const unknown = raw.filter((_, i) => canonical[i] === null);
  if (unknown.length > 0) return fail(path, `unknown payment method ${JSON.stringify(unknown[0]).slice(0, 40)}`);
  if (!canonical.includes(ONCHAIN))
    return fail(path, "btpay takes on-chain bitcoin only: include BTC-CHAIN (Lightning is not offered)");
  return [ONCHAIN];
}

function minutes(raw: unknown, min: number, path: string, fail: (path: string, message: string) => null) {
  if (typeof raw === "number" && Number.isInteger(raw) && raw >= min && raw <= MAX_MINUTES) return raw;
  return fail(path, `must be a whole number of minutes from ${min} to ${MAX_MINUTES}`);
}

/** A plain non-negative decimal as text; JSON numbers are read through their shortest spelling. */
function decimalText(raw: unknown): string | null {
  const s = typeof raw === "number" && Number.isFinite(raw) ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  return DECIMAL.test(s) ? s : null;
}

/** The invoice's one line: the shop's item description, else its order, else a plain word. */
function lineDescription(metadata: Record<string, unknown>): string {
  const item = text(metadata.itemDesc, 200);
  if (item) return item;
  const order = metadata.orderId;
  if ((typeof order === "string" && order.length > 0 && order.length <= 100) || typeof order === "number")
    return `Order ${order}`;
  return "Payment";
}

function text(raw: unknown, max: number, pattern?: RegExp): string | null {
  if (typeof raw !== "string") return null;
  const s = raw.trim();
  return s.length > 0 && s.length <= max && (!pattern || pattern.test(s)) ? s : null;
}

function isHttpUrl(raw: unknown): raw is string {
  if (typeof raw !== "string" || raw.length > 2000) return false;
  try {
    const u = new URL(raw);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
