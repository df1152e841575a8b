import {
  GreenfieldError,
  type GreenfieldInvoiceData,
  GreenfieldValidationError,
  type InvoicePaymentData,
} from "@btpay/woocommerce-bridge";
import { NotFoundError, RateLimitedError, ValidationError } from "../domain/errors.js";
import { formatFiat } from "../domain/money-format.js";
import { confirmations } from "../domain/payment.js";
import type { GreenfieldInvoiceRow } from "../ports/greenfield-invoices.js";
import type { StoredPayment } from "../ports.js";

const REF_RE = /^[0-9A-F]{8}-[0-9A-F]{8}$/i;

/** A Greenfield invoice id as btpay's ref, or null when it cannot be one (no query for it then). */
export const refOf = (id: string): string | null => (REF_RE.test(id) ? id.toUpperCase() : null);

/** A finalized invoice as the bridge reads it; null for a draft (Greenfield never sees one). */
export function greenfieldInvoiceData(row: GreenfieldInvoiceRow, readAt: Date): GreenfieldInvoiceData | null {
  const { invoice: inv } = row;
  const q = inv.quote;
  if (!q) return null;
  return {
    id: inv.ref,
    storeId: inv.storeId,
    status: inv.status,
    flags: [...inv.flags],
    manualStatus: row.manualStatus,
    currency: inv.currency,
    amount: formatFiat(inv.total, inv.currency),
    paidAmount: formatFiat(inv.amountPaid, inv.currency),
    createdAt: inv.createdAt,
    finalizedAt: q.finalizedAt,
    expiresAt: q.expiresAt,
    monitoringUntil: greenfieldMonitoringUntil(q.expiresAt, q.monitoringUntil, row.checkout),
    invalidatedAt: row.invalidatedAt,
    requiredConfirmations: inv.requiredConfirmations,
    underpaymentTolerancePercent: inv.underpaymentTolerancePercent,
    redirectUrl: inv.redirectUrl,
    metadata: inv.metadata,
    checkout: row.checkout,
    btcRate: q.btcRate,
    dueSats: q.btcAmountSats,
    paidSats: inv.paidSats,
    address: q.paymentAddress,
    readAt,
  };
}

/** Confirmations from the chain tip; without a tip yet, a mined payment counts one. */
export function greenfieldPayment(p: StoredPayment, tipHeight: number | null): InvoicePaymentData {
  return {
    txid: p.txid,
    vout: p.vout,
    address: p.address,
    amountSats: p.amountSats,
    state: p.state,
    confirmations: tipHeight === null ? (p.state === "confirmed" ? 1 : 0) : confirmations(p, tipHeight),
    firstSeenAt: p.firstSeenAt,
  };
}

/**
 * btpay's domain errors in Greenfield's words: a field error is a 422 item (its path renamed by
 * `path` to the Greenfield field it came from), other refusals a 400 `generic-error` (BTCPay's code
 * for "could not do it"). Anything else is a bug and stays as it is (a logged 500).
 */
export function asGreenfieldError(err: unknown, path: (field: string) => string = (f) => f): unknown {
  if (err instanceof ValidationError) {
    if (err.field) return new GreenfieldValidationError([{ path: path(err.field), message: err.reason }]);
    return new GreenfieldError(400, "generic-error", err.message);
  }
  if (err instanceof NotFoundError) return new GreenfieldError(404, "not-found", err.message);
  if (err instanceof RateLimitedError) return new GreenfieldError(429, "rate-limited", err.message);
  return err;
}

/**
 * Greenfield's monitoring expiration: for invoices made through the Greenfield API, the expiration
 * time + the monitoring minutes resolved at creation (`monitoringMinutesApplied`); for btpay's own
 * invoices, btpay's monitoring window.
 */
function greenfieldMonitoringUntil(expiresAt: Date, btpayUntil: Date, checkout: Record<string, unknown> | null): Date {
  const minutes = checkout?.monitoringMinutesApplied;
  return typeof minutes === "number" ? new Date(expiresAt.getTime() + minutes * 60_000) : btpayUntil;
}
