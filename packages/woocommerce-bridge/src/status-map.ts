/**
 * btpay's invoice lifecycle seen through Greenfield's eyes: ONE table from btpay's status, flags and
 * a shop's manual mark to Greenfield's `status` + `additionalStatus`, pinned by the vectors in
 * test/fixtures/status-mapping.json. Every Greenfield answer (invoices, webhooks) goes through it.
 *
 *   draft, pending                   -> New        None (a draft is never served; listed for totality)
 *   partial                          -> New        PaidPartial
 *   partial, quote deadline passed   -> Expired    PaidPartial      (btpay's grace for the rest)
 *   paid                             -> Processing None | PaidOver
 *   paid, monitoring window over     -> Invalid    None | PaidOver   (Greenfield: not confirmed in time)
 *   confirmed                        -> Settled    None | PaidOver
 *   confirmed after it was Invalid   -> Invalid    None | PaidOver   (BTCPay never goes back)
 *   expired                          -> Expired    None
 *   expired + expired_partial        -> Expired    PaidPartial      (short, whenever it was paid)
 *   expired + paid_late, paid enough -> Expired    PaidLate         (the late money completed it)
 *   cancelled                        -> Invalid    None
 *   any, marked by the shop          -> the mark   Marked
 *
 * Invoices made through the Greenfield API get no btpay grace for partial payments: like BTCPay, a
 * partly paid one expires at its expiration time, and money after that is late (PaidLate). For
 * btpay's own invoices (read through Greenfield) a partly paid invoice stays open in btpay until its
 * monitoring window ends; Greenfield calls it Expired at the deadline, and so does this table.
 *
 * PaidLate needs the late payments to cover the invoice: btpay flags `paid_late` for any late
 * payment, but a shop plugin treats PaidLate as "fully paid after expiry", so a late partial
 * payment stays PaidPartial (btpay keeps `expired_partial` while the money is short).
 */

export const GREENFIELD_STATUSES = ["New", "Processing", "Settled", "Expired", "Invalid"] as const;
export type GreenfieldStatus = (typeof GREENFIELD_STATUSES)[number];

export const ADDITIONAL_STATUSES = ["None", "PaidPartial", "PaidOver", "PaidLate", "Marked"] as const;
export type AdditionalStatus = (typeof ADDITIONAL_STATUSES)[number];

/** What a shop may mark an invoice as (`POST .../invoices/{id}/status`). */
export const MANUAL_MARKS = ["Settled", "Invalid"] as const;
export type ManualMark = (typeof MANUAL_MARKS)[number];

export type BtpayInvoiceStatus = "draft" | "pending" | "partial" | "paid" | "confirmed" | "expired" | "cancelled";

export interface BtpayInvoiceState {
  status: BtpayInvoiceStatus;
  /** btpay's derived flags: `overpaid`, `paid_late`, `expired_partial`. */
  flags: readonly string[];
  manualStatus: ManualMark | null;
  /** The quote deadline (Greenfield `expirationTime`) has passed. */
  pastExpiration?: boolean;
  /** Paid but still short of its confirmations when the monitoring window ended (even if confirmed since). */
  paidAfterMonitoring?: boolean;
}

export interface GreenfieldState {
  status: GreenfieldStatus;
  additionalStatus: AdditionalStatus;
}

export function greenfieldState(s: BtpayInvoiceState): GreenfieldState {
  if (s.manualStatus) return { status: s.manualStatus, additionalStatus: "Marked" };
  const over: AdditionalStatus = s.flags.includes("overpaid") ? "PaidOver" : "None";
  switch (s.status) {
    case "draft":
    case "pending":
      return { status: "New", additionalStatus: "None" };
    case "partial":
      return { status: s.pastExpiration ? "Expired" : "New", additionalStatus: "PaidPartial" };
    case "paid":
      return { status: s.paidAfterMonitoring ? "Invalid" : "Processing", additionalStatus: over };
    case "confirmed":
      return { status: s.paidAfterMonitoring ? "Invalid" : "Settled", additionalStatus: over };
    case "expired":
      if (s.flags.includes("expired_partial")) return { status: "Expired", additionalStatus: "PaidPartial" };
      if (s.flags.includes("paid_late")) return { status: "Expired", additionalStatus: "PaidLate" };
      return { status: "Expired", additionalStatus: "None" };
    case "cancelled":
      return { status: "Invalid", additionalStatus: "None" };
  }
}

/**
 * `availableStatusesForManualMarking`, as BTCPay offers it: either mark from an open or expired
 * invoice, and only the opposite one once settled or invalid (marked or not).
 */
export function markableStatuses(state: GreenfieldState): ManualMark[] {
  if (state.status === "Settled") return ["Invalid"];
  if (state.status === "Invalid") return ["Settled"];
  return ["Settled", "Invalid"];
}

/** The Greenfield payment-method ids btpay answers with: on-chain bitcoin, and Lightning (recognized, not offered). */
export const ONCHAIN = "BTC-CHAIN";
export const LIGHTNING = "BTC-LN";
export type CanonicalPaymentMethod = typeof ONCHAIN | typeof LIGHTNING;

// Spellings seen in the wild: BTCPay 2.x (`BTC-CHAIN`), WordPress-safe underscores (`BTC_CHAIN`), and
// BTCPay 1.x (`BTC`, `BTC-OnChain`, `BTC_LightningLike`, `BTC-LightningNetwork`). Compared upper-case.
const ALIASES: ReadonlyMap<string, CanonicalPaymentMethod> = new Map([
  ["BTC-CHAIN", ONCHAIN],
  ["BTC_CHAIN", ONCHAIN],
  ["BTC", ONCHAIN],
  ["BTC-ONCHAIN", ONCHAIN],
  ["BTC_ONCHAIN", ONCHAIN],
  ["BTC-LN", LIGHTNING],
  ["BTC_LN", LIGHTNING],
  ["BTC_LIGHTNINGLIKE", LIGHTNING],
  ["BTC-LIGHTNINGLIKE", LIGHTNING],
  ["BTC-LIGHTNINGNETWORK", LIGHTNING],
  ["BTC_LIGHTNINGNETWORK", LIGHTNING],
]);

/** Any accepted spelling -> `BTC-CHAIN` / `BTC-LN`; null for a payment method btpay does not know. */
export function canonicalPaymentMethod(id: string): CanonicalPaymentMethod | null {
  return ALIASES.get(id.trim().toUpperCase()) ?? null;
}
