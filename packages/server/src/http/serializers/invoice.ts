import type { InvoiceRecord } from "../../domain/invoice.js";
import { amountDue, formatFiat, formatUnitPrice } from "../../domain/money-format.js";
import { confirmations } from "../../domain/payment.js";
import { formatBtc } from "../../domain/pricing.js";
import type { StoredPayment } from "../../ports.js";
import { bip21Uri } from "../../wallet/index.js";
import type { components } from "../generated/openapi.js";
import { checkoutPath } from "../request-origin.js";

type Invoice = components["schemas"]["Invoice"];
type InvoiceStatusBody = components["schemas"]["InvoiceStatusResponse"];
type Payment = components["schemas"]["Payment"];

export const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * `origin` (`<protocol>://<host>` of the request) makes `checkout_url` absolute; without one (event
 * payloads) it is null.
 */
export function serializeInvoice(inv: InvoiceRecord, origin?: string): Invoice {
  const c = inv.currency;
  const q = inv.quote;
  return {
    id: inv.id,
    ref: inv.ref,
    invoice_number: inv.invoiceNumber,
    status: inv.status,
    customer_email: inv.customerEmail,
    customer_name: inv.customerName,
    customer_company: inv.customerCompany,
    currency: c,
    subtotal: formatFiat(inv.subtotal, c),
    tax_rate: inv.taxRate,
    tax_amount: formatFiat(inv.taxAmount, c),
    discount_amount: formatFiat(inv.discountAmount, c),
    total: formatFiat(inv.total, c),
    amount_paid: formatFiat(inv.amountPaid, c),
    amount_due: due(inv),
    btc_rate: q ? q.btcRate : null,
    btc_amount: q ? formatBtc(q.btcAmountSats) : null,
    btc_rate_sources: q ? q.btcRateSources : null,
    btc_rate_at: q ? unixSeconds(q.btcRateAt) : null,
    payment_address: q ? q.paymentAddress : null,
    payment_uri: q ? bip21Uri(q.paymentAddress, q.btcAmountSats, { label: inv.invoiceNumber }) : null,
    expires_at: q ? unixSeconds(q.expiresAt) : null,
    notes: inv.notes,
    payment_methods: inv.paymentMethods,
    metadata: inv.metadata,
    created_at: unixSeconds(inv.createdAt),
    lines: inv.lines.map((l) => ({
      description: l.description,
      quantity: l.quantity,
      unit_price: formatUnitPrice(l.unitPrice, c),
      amount: formatFiat(l.amount, c),
    })),
    required_confirmations: inv.requiredConfirmations as 0 | 1 | 2 | 6,
    btc_paid: formatBtc(inv.paidSats),
    flags: inv.flags,
    redirect_url: inv.redirectUrl,
    checkout_url: q && origin ? `${origin}${checkoutPath(inv.ref)}` : null,
  };
}

/** Nothing is due once the invoice counts as paid (an accepted underpayment included). */
function due(inv: InvoiceRecord): string {
  if (inv.status === "paid" || inv.status === "confirmed") return amountDue(inv.total, inv.total, inv.currency);
  return amountDue(inv.total, inv.amountPaid, inv.currency);
}

export function serializePayment(p: StoredPayment, tipHeight: number | null): Payment {
  return {
    txid: p.txid,
    vout: p.vout,
    address: p.address,
    amount_sats: p.amountSats.toString(),
    confirmations: tipHeight === null ? (p.state === "confirmed" ? 1 : 0) : confirmations(p, tipHeight),
    status: p.state,
    created_at: unixSeconds(p.firstSeenAt),
    late: p.late,
  };
}

export function serializeInvoiceStatus(inv: InvoiceRecord): InvoiceStatusBody {
  const c = inv.currency;
  return {
    invoice_number: inv.invoiceNumber,
    status: inv.status,
    total: formatFiat(inv.total, c),
    amount_paid: formatFiat(inv.amountPaid, c),
    amount_due: due(inv),
    currency: c,
    btc_paid: formatBtc(inv.paidSats),
    flags: inv.flags,
  };
}
