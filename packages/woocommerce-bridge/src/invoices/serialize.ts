import { formatBtc, plainBtc } from "../btc.js";
import { speedPolicyFor } from "../speed-policy.js";
import { type GreenfieldState, greenfieldState, markableStatuses, ONCHAIN } from "../status-map.js";
import { unixSeconds } from "../wire.js";
import type { GreenfieldInvoiceData, InvoicePaymentData } from "./backend.js";

const wholeMinutes = (from: Date, to: Date): number => Math.round((to.getTime() - from.getTime()) / 60_000);

/** Greenfield status + additionalStatus of an invoice as read (see status-map.ts). */
export function invoiceState(inv: GreenfieldInvoiceData): GreenfieldState {
  return greenfieldState({
    status: inv.status,
    flags: inv.flags,
    manualStatus: inv.manualStatus,
    pastExpiration: inv.readAt.getTime() >= inv.expiresAt.getTime(),
    // The sweep records it (and sends InvoiceInvalid); until it has run, the read already says so.
    paidAfterMonitoring:
      inv.invalidatedAt !== null || (inv.status === "paid" && inv.readAt.getTime() >= inv.monitoringUntil.getTime()),
  });
}

/**
 * An invoice in Greenfield's shape (BTCPay 2.x `InvoiceData`). Decimals are strings, times unix
 * seconds. `checkout` echoes what applies to the invoice: the policy btpay enforces comes from the
 * invoice itself (so a `null` the shop sent reads back as the store default it got), the options
 * btpay only carries (`redirectAutomatically`, `defaultLanguage`) from what the shop sent.
 */
export function serializeInvoice(inv: GreenfieldInvoiceData, origin: string) {
  const state = invoiceState(inv);
  const sent = inv.checkout ?? {};
  return {
    id: inv.id,
    storeId: inv.storeId,
    amount: inv.amount,
    paidAmount: inv.paidAmount,
    currency: inv.currency,
    type: "Standard",
    checkoutLink: `${origin}/i/${encodeURIComponent(inv.id)}`,
    createdTime: unixSeconds(inv.createdAt),
    expirationTime: unixSeconds(inv.expiresAt),
    monitoringExpiration: unixSeconds(inv.monitoringUntil),
    status: state.status,
    additionalStatus: state.additionalStatus,
    availableStatusesForManualMarking: markableStatuses(state),
    archived: false,
    metadata: inv.metadata,
    checkout: {
      speedPolicy: speedPolicyFor(inv.requiredConfirmations),
      paymentMethods: [ONCHAIN],
      defaultPaymentMethod: ONCHAIN,
      lazyPaymentMethods: false,
      expirationMinutes: wholeMinutes(inv.finalizedAt, inv.expiresAt),
      monitoringMinutes: wholeMinutes(inv.expiresAt, inv.monitoringUntil),
      paymentTolerance: Number(inv.underpaymentTolerancePercent),
      redirectURL: inv.redirectUrl,
      redirectAutomatically: typeof sent.redirectAutomatically === "boolean" ? sent.redirectAutomatically : false,
      requiresRefundEmail: typeof sent.requiresRefundEmail === "boolean" ? sent.requiresRefundEmail : null,
      defaultLanguage: typeof sent.defaultLanguage === "string" ? sent.defaultLanguage : null,
    },
    // btpay has no receipt page.
    receipt: { enabled: false, showQR: null, showPayments: null },
  };
}

/**
 * `GET .../invoices/{id}/payment-methods`: btpay's one payment method. BTC amounts are strings with
 * 8 decimals; btpay charges no network fee to the payer, so the fee fields are zero. BTCPay 1.x
 * names (`paymentMethod`, `networkFee`, `cryptoCode`) ride along for older clients.
 */
export function serializeInvoicePaymentMethods(inv: GreenfieldInvoiceData, payments: readonly InvoicePaymentData[]) {
  const due = inv.dueSats > inv.paidSats ? inv.dueSats - inv.paidSats : 0n;
  return [
    {
      paymentMethodId: ONCHAIN,
      paymentMethod: ONCHAIN,
      currency: "BTC",
      cryptoCode: "BTC",
      destination: inv.address,
      paymentLink: due > 0n ? `bitcoin:${inv.address}?amount=${plainBtc(due)}` : `bitcoin:${inv.address}`,
      rate: inv.btcRate,
      paymentMethodPaid: formatBtc(inv.paidSats),
      totalPaid: formatBtc(inv.paidSats),
      due: formatBtc(due),
      amount: formatBtc(inv.dueSats),
      paymentMethodFee: formatBtc(0n),
      networkFee: formatBtc(0n),
      payments: payments.map((p) => serializePayment(p, inv.requiredConfirmations)),
      activated: true,
      additionalData: {},
    },
  ];
}

/**
 * One payment: `Settled` once it has the confirmations the invoice's speed policy asks for,
 * `Processing` before, `Invalid` when it left the chain or the mempool (reorg, replacement).
 */
export function serializePayment(p: InvoicePaymentData, requiredConfirmations: number) {
  const active = p.state === "mempool" || p.state === "confirmed";
  return {
    id: `${p.txid}-${p.vout}`,
    receivedDate: unixSeconds(p.firstSeenAt),
    value: formatBtc(p.amountSats),
    fee: formatBtc(0n),
    status: !active ? "Invalid" : p.confirmations >= requiredConfirmations ? "Settled" : "Processing",
    destination: p.address,
  };
}
