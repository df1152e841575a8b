import { confirmations } from "../../domain/payment.js";
import { formatBtc } from "../../domain/pricing.js";
import type { PublicInvoice } from "../../ports.js";
import { bip21Uri } from "../../wallet/index.js";
import type { components } from "../generated/openapi.js";
import { checkoutPath } from "../request-origin.js";
import { serializeInvoice, serializePayment } from "./invoice.js";

type CheckoutInvoice = components["schemas"]["CheckoutInvoice"];

/** Statuses in which the payer may still pay (a partly paid invoice stays open until its window ends). */
const OPEN = new Set(["pending", "partial"]);

/**
 * What a payer needs to pay (no metadata, no customer fields, no notes). The amounts and address
 * are the ones the API's invoice gives, so both always agree; `btc_due` and `payment_uri` ask for
 * what is still missing. `origin` is `<protocol>://<host>` of the request, for `checkout_url`.
 */
export function serializeCheckoutInvoice(view: PublicInvoice, origin: string): CheckoutInvoice {
  const { invoice, storeName, payments, tipHeight } = view;
  const q = invoice.quote;
  if (!q) throw new Error(`invoice ${invoice.ref} has no quote; only finalized invoices have a checkout`);
  const full = serializeInvoice(invoice);
  const rest = q.btcAmountSats - invoice.paidSats;
  const dueSats = OPEN.has(invoice.status) && rest > 0n ? rest : 0n;
  const serialized = payments.map((p) => serializePayment(p, tipHeight));
  // Confirmations that matter to the payer: the least-confirmed payment that counts.
  const counting = payments
    .filter((p) => (p.state === "mempool" || p.state === "confirmed") && !p.late)
    .map((p) => (tipHeight === null ? (p.state === "confirmed" ? 1 : 0) : confirmations(p, tipHeight)));
  return {
    ref: invoice.ref,
    invoice_number: invoice.invoiceNumber,
    store_name: storeName,
    status: full.status,
    flags: full.flags ?? [],
    currency: full.currency,
    total: full.total,
    amount_paid: full.amount_paid,
    amount_due: full.amount_due,
    btc_amount: formatBtc(q.btcAmountSats),
    btc_paid: formatBtc(invoice.paidSats),
    btc_due: formatBtc(dueSats),
    payment_address: q.paymentAddress,
    payment_uri: bip21Uri(q.paymentAddress, dueSats > 0n ? dueSats : q.btcAmountSats, {
      label: invoice.invoiceNumber,
    }),
    expires_at: Math.floor(q.expiresAt.getTime() / 1000),
    confirmations: counting.length === 0 ? null : Math.min(...counting),
    required_confirmations: invoice.requiredConfirmations as 0 | 1 | 2 | 6,
    payments: serialized,
    checkout_url: `${origin}${checkoutPath(invoice.ref)}`,
    redirect_url: invoice.redirectUrl,
  };
}
