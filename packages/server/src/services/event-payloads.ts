import type { InvoiceStatus } from "../domain/invoice.js";
import { formatFiat } from "../domain/money-format.js";
import { confirmations, type PaymentRecord } from "../domain/payment.js";
import { formatBtc } from "../domain/pricing.js";

/**
 * What an outbox event carries: the reference's webhook `data` (invoice_number, status, total,
 * amount_paid, currency, btc_amount) plus the ref, what was received so far and the flags; payment
 * events add the payment. Built when the event happens, so a delivery shows the state it announces.
 */
export interface InvoiceSnapshot {
  ref: string;
  invoiceNumber: string;
  status: InvoiceStatus;
  total: string;
  amountPaid: string;
  currency: string;
  dueSats: bigint | null;
  paidSats: bigint;
  flags: readonly string[];
}

export function invoiceEventData(inv: InvoiceSnapshot): Record<string, unknown> {
  return {
    ref: inv.ref,
    invoice_number: inv.invoiceNumber,
    status: inv.status,
    total: formatFiat(inv.total, inv.currency),
    amount_paid: formatFiat(inv.amountPaid, inv.currency),
    currency: inv.currency,
    btc_amount: inv.dueSats === null ? null : formatBtc(inv.dueSats),
    btc_paid: formatBtc(inv.paidSats),
    flags: [...inv.flags],
  };
}

export function paymentEventData(p: PaymentRecord, address: string, tipHeight: number): Record<string, unknown> {
  return {
    txid: p.txid,
    vout: p.vout,
    address,
    amount_sats: p.amountSats.toString(),
    confirmations: confirmations(p, tipHeight),
    status: p.state,
    late: p.late,
  };
}
