import { minorUnits } from "./currency.js";
import { Decimal, divide, HALF_UP } from "./decimal.js";
import type { InvoiceStatus } from "./invoice.js";
import { confirmations, isActive, type PaymentChange, type PaymentRecord } from "./payment.js";

/**
 * The invoice lifecycle: ONE pure function decides an invoice's status from its payments, the chain
 * tip and the clock (STYLE.md convention 3). The chain watcher loads, calls it, and saves the result
 * with the events it returns in one transaction; nothing else writes a paid/confirmed/expired status.
 *
 *   pending -> partial (some paid) -> paid (paid within tolerance, any confirmations)
 *           -> confirmed (paid with the required confirmations)
 *   nothing paid by the quote deadline -> expired
 *   partly paid at the deadline -> stays partial until the monitoring window ends -> expired
 *   expired stays expired: a later payment is recorded and flagged (`paid_late`), never dropped
 *   payments that leave the chain (reorg) or the mempool (RBF) move the invoice back down
 */

/** The confirmation counts a store or invoice may require (speed policies). */
export const REQUIRED_CONFIRMATIONS: readonly number[] = [0, 1, 2, 6];

/** Flags are derived from the payments each time, so they can never disagree with them. */
export type InvoiceFlag = "overpaid" | "paid_late" | "expired_partial";

export type LifecycleEventType =
  | "invoice.partially_paid"
  | "invoice.paid"
  | "invoice.confirmed"
  | "invoice.expired"
  | "invoice.reverted"
  | "invoice.paid_late"
  | "payment.received"
  | "payment.confirmed"
  | "payment.removed";

export interface LifecycleEvent {
  type: LifecycleEventType;
  /** For payment events: the payment. */
  payment?: PaymentRecord;
  /** For invoice.reverted: the status it left. */
  from?: InvoiceStatus;
}

export interface LifecyclePolicy {
  dueSats: bigint;
  expiresAt: Date;
  /** End of the grace period for a partly paid invoice (the quote deadline + the monitoring window). */
  monitoringUntil: Date;
  /** Confirmations for `confirmed`: 0, 1, 2 or 6 (0 = confirmed as soon as paid). */
  requiredConfirmations: number;
  /** Accepted underpayment, percent of the BTC amount (exact decimal string, e.g. "0.5"). */
  underpaymentTolerancePercent: string;
  /** How long a confirmed or expired invoice is still watched (reorgs, late payments), ms. */
  monitoringWindowMs: number;
}

export interface LifecycleState {
  status: InvoiceStatus;
  /** A confirmed or expired invoice is watched until then; null while open. */
  watchUntil: Date | null;
  /** Payments as they are now (after reconcilePayments), with confirmation announcements. */
  payments: readonly PaymentRecord[];
  /** Keys (txid:vout) of payments whose `payment.confirmed` was already announced. */
  announcedConfirmed: ReadonlySet<string>;
}

export interface LifecycleResult {
  status: InvoiceStatus;
  flags: InvoiceFlag[];
  paidSats: bigint;
  confirmedSats: bigint;
  watchUntil: Date | null;
  announcedConfirmed: Set<string>;
  events: LifecycleEvent[];
}

const RANK: Partial<Record<InvoiceStatus, number>> = { pending: 0, partial: 1, paid: 2, confirmed: 3 };

/**
 * The least an invoice must receive to count as paid: the BTC amount less the tolerance, the
 * tolerance in sats rounded DOWN (towards the payer paying more), so 0 % means every sat.
 */
export function paidThresholdSats(dueSats: bigint, tolerancePercent: string): bigint {
  // Percent in millionths (tolerances have at most 6 decimals), then one integer division: floor.
  const millionths = Decimal.parse(tolerancePercent).rescale(6, HALF_UP).toUnits(6);
  if (millionths <= 0n) return dueSats;
  return dueSats - (dueSats * millionths) / 100_000_000n;
}

export function evaluateInvoice(
  state: LifecycleState,
  changes: readonly PaymentChange[],
  policy: LifecyclePolicy,
  tipHeight: number,
  now: Date,
): LifecycleResult {
  const active = state.payments.filter(isActive);
  const paidSats = active.reduce((s, p) => s + p.amountSats, 0n);
  const need = Math.max(policy.requiredConfirmations, 0);
  const confirmedSats = active
    .filter((p) => confirmations(p, tipHeight) >= need)
    .reduce((s, p) => s + p.amountSats, 0n);
  const threshold = paidThresholdSats(policy.dueSats, policy.underpaymentTolerancePercent);

  let status = state.status;
  if (status === "pending" || status === "partial" || status === "paid" || status === "confirmed") {
    if (paidSats >= threshold && paidSats > 0n) status = confirmedSats >= threshold ? "confirmed" : "paid";
    else if (paidSats > 0n) status = now >= policy.monitoringUntil ? "expired" : "partial";
    else status = now >= policy.expiresAt ? "expired" : "pending";
  }
  // draft and cancelled are not the watcher's; expired is final (late money is flagged, not credited).

  const flags: InvoiceFlag[] = [];
  if (paidSats > policy.dueSats) flags.push("overpaid");
  if (active.some((p) => p.late)) flags.push("paid_late");
  if (status === "expired" && paidSats > 0n && paidSats < threshold) flags.push("expired_partial");

  const events: LifecycleEvent[] = [];
  for (const c of changes) {
    if (c.kind === "received" || c.kind === "restored") events.push({ type: "payment.received", payment: c.payment });
    if (c.kind === "removed") events.push({ type: "payment.removed", payment: c.payment });
  }
  // payment.confirmed once a payment has the confirmations the invoice needs (at least one);
  // a reorg that takes them away makes it announce again when they are back.
  const announced = new Set<string>();
  const confirmNeed = Math.max(need, 1);
  for (const p of active) {
    const key = `${p.txid}:${p.vout}`;
    if (confirmations(p, tipHeight) >= confirmNeed) {
      announced.add(key);
      if (!state.announcedConfirmed.has(key)) events.push({ type: "payment.confirmed", payment: p });
    }
  }

  events.push(...statusEvents(state.status, status));
  if (
    flags.includes("paid_late") &&
    status === "expired" &&
    changes.some((c) => c.kind === "received" && c.payment.late)
  )
    events.push({ type: "invoice.paid_late" });

  let watchUntil = state.watchUntil;
  if (status === "confirmed" || status === "expired") {
    if (status !== state.status || watchUntil === null) {
      const fromNow = now.getTime() + policy.monitoringWindowMs;
      watchUntil = new Date(Math.max(policy.monitoringUntil.getTime(), fromNow));
    }
  } else if (status !== "draft" && status !== "cancelled") watchUntil = null;

  return { status, flags, paidSats, confirmedSats, watchUntil, announcedConfirmed: announced, events };
}

function statusEvents(from: InvoiceStatus, to: InvoiceStatus): LifecycleEvent[] {
  if (from === to) return [];
  if (to === "expired") return [{ type: "invoice.expired" }];
  const a = RANK[from];
  const b = RANK[to];
  if (a === undefined || b === undefined) return [];
  if (b < a) return [{ type: "invoice.reverted", from }];
  const events: LifecycleEvent[] = [];
  if (to === "partial") events.push({ type: "invoice.partially_paid" });
  if (b >= 2 && a < 2) events.push({ type: "invoice.paid" });
  if (to === "confirmed") events.push({ type: "invoice.confirmed" });
  return events;
}

/**
 * The fiat part of what was paid: total x paid / due, at the currency's minor units, HALF_UP.
 * Exact: the division happens once on integers.
 */
export function fiatPaid(total: string, paidSats: bigint, dueSats: bigint, currency: string): string {
  if (paidSats === 0n || dueSats === 0n) return "0";
  const scale = minorUnits(currency);
  const amount = divide(
    Decimal.parse(total).mul(Decimal.fromUnits(paidSats, 0)),
    Decimal.fromUnits(dueSats, 0),
    scale,
    HALF_UP,
  );
  return amount.toString();
}
