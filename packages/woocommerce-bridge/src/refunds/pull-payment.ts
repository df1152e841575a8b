import { type FieldError, GreenfieldValidationError } from "../errors.js";
import { unixSeconds } from "../wire.js";
import type { PullPaymentCreate, RefundView } from "./backend.js";

/** BTCPay refuses longer names; the WooCommerce plugin cuts its "Refund of order ..." to this. */
export const PULL_PAYMENT_NAME_MAX = 50;

/** What BTCPay reports for a pull payment's Lightning invoices (days); btpay pays on-chain only. */
const BOLT11_EXPIRATION_DAYS = 30;

/** Payment method ids that mean on-chain bitcoin, in every spelling plugins send (BTCPay 1.x and 2.x). */
const ON_CHAIN = new Set(["BTC", "BTC-CHAIN", "BTC_CHAIN", "BTC-ONCHAIN", "BTC_ONCHAIN"]);

/** The claim page of a refund: Greenfield's `viewLink`. */
export function claimPath(id: string): string {
  return `/pull-payments/${encodeURIComponent(id)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

/**
 * `POST /stores/{storeId}/pull-payments` as shop plugins send it: checks the JSON types (422 with
 * Greenfield's array otherwise) and what btpay cannot honour; btpay checks amount and currency.
 * `period`, `BOLT11Expiration` and `autoApproveClaims` are accepted and ignored: a btpay refund is
 * one on-chain payment the merchant makes by hand.
 */
export function readPullPaymentCreate(body: unknown, now: Date): PullPaymentCreate {
  if (!isObject(body)) throw new GreenfieldValidationError([{ path: "", message: "the body must be a JSON object" }]);
  const problems: FieldError[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const { name, description, amount, currency, startsAt, expiresAt } = body;
  if (!absent(name) && typeof name !== "string") problem("name", "must be a string");
  if (typeof name === "string" && name.length > PULL_PAYMENT_NAME_MAX) {
    problem("name", `The name should be maximum ${PULL_PAYMENT_NAME_MAX} characters.`);
  }
  if (!absent(description) && typeof description !== "string") problem("description", "must be a string");
  if (absent(amount)) problem("amount", "The amount is required");
  else if (typeof amount !== "string" && typeof amount !== "number") problem("amount", "must be a decimal string");
  if (typeof currency !== "string" || currency.trim() === "") problem("currency", "The currency is required");
  if (!absent(startsAt) && !Number.isInteger(startsAt)) problem("startsAt", "must be unix seconds");
  if (Number.isInteger(startsAt) && (startsAt as number) > unixSeconds(now) + 60) {
    problem("startsAt", "a pull payment that starts later is not supported; leave startsAt null");
  }
  if (!absent(expiresAt) && !Number.isInteger(expiresAt)) problem("expiresAt", "must be unix seconds");
  for (const path of ["paymentMethods", "payoutMethods"]) {
    const methods = body[path];
    if (absent(methods)) continue;
    if (!Array.isArray(methods) || !methods.every((m) => typeof m === "string")) {
      problem(path, "must be an array of payment method ids");
    } else if (methods.length > 0 && !methods.some((m) => ON_CHAIN.has(m.toUpperCase()))) {
      problem(path, "btpay pays refunds on-chain only: include BTC-CHAIN");
    }
  }
  if (problems.length > 0) throw new GreenfieldValidationError(problems);
  return {
    name: typeof name === "string" ? name : "",
    description: typeof description === "string" && description.trim() !== "" ? description : null,
    amount: String(amount),
    currency: currency as string,
    expiresAt: Number.isInteger(expiresAt) ? new Date((expiresAt as number) * 1000) : null,
  };
}

/** Greenfield's PullPaymentData, with the JSON types the PHP client's typed getters expect. */
export function pullPaymentJson(r: RefundView, origin: string) {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? "",
    currency: r.currency,
    amount: r.amount,
    period: null,
    BOLT11Expiration: BOLT11_EXPIRATION_DAYS,
    archived: r.state === "cancelled",
    autoApproveClaims: false,
    startsAt: unixSeconds(r.createdAt),
    expiresAt: r.expiresAt ? unixSeconds(r.expiresAt) : null,
    viewLink: `${origin}${claimPath(r.id)}`,
  };
}
