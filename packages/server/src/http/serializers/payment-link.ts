import { formatFiat } from "../../domain/money-format.js";
import type { PaymentLinkRecord } from "../../domain/payment-link.js";
import type { CheckoutView, LinkView } from "../../services/payment-link-checkout.js";
import type { components } from "../generated/openapi.js";
import { serializeInvoice, unixSeconds } from "./invoice.js";

type PaymentLink = components["schemas"]["PaymentLink"];
type PublicPaymentLink = components["schemas"]["PublicPaymentLink"];
type CheckoutInvoice = components["schemas"]["CheckoutInvoice"];

export function serializePaymentLink(l: PaymentLinkRecord): PaymentLink {
  return {
    ref: l.ref,
    slug: l.slug,
    title: l.title,
    description: l.description ?? "",
    amount: l.amount === null ? null : formatFiat(l.amount, l.currency),
    currency: l.currency,
    payment_methods: l.paymentMethods,
    redirect_url: l.redirectUrl,
    metadata: l.metadata,
    is_active: l.isActive,
    created_at: unixSeconds(l.createdAt),
  };
}

/** What a payer sees of a link: no ref, metadata, redirect or payment methods. */
export function serializePublicPaymentLink({ link, store }: LinkView): PublicPaymentLink {
  return {
    slug: link.slug,
    title: link.title,
    description: link.description,
    amount: link.amount === null ? null : formatFiat(link.amount, link.currency),
    currency: link.currency,
    store_name: store.name,
  };
}

/** The hosted checkout page of an invoice made through a link. */
export function checkoutPath(slug: string, ref: string): string {
  return `/pay/${encodeURIComponent(slug)}/${encodeURIComponent(ref)}`;
}

/**
 * What a payer needs to pay (no metadata, no customer fields). The amounts, address and BIP21 URI
 * are the ones the API's invoice gives, so both always agree. `origin` is `<protocol>://<host>` of
 * the request, for `checkout_url`.
 */
export function serializeCheckoutInvoice({ invoice, link, store }: CheckoutView, origin: string): CheckoutInvoice {
  const full = serializeInvoice(invoice);
  const { btc_amount, payment_address, payment_uri, expires_at } = full;
  if (btc_amount === null || payment_address === null || payment_uri === null || expires_at === null) {
    throw new Error(`invoice ${invoice.ref} has no quote; only finalized invoices have a checkout`);
  }
  return {
    ref: full.ref,
    invoice_number: full.invoice_number,
    store_name: store.name,
    status: full.status,
    currency: full.currency,
    total: full.total,
    amount_due: full.amount_due,
    btc_amount,
    payment_address,
    payment_uri,
    expires_at,
    checkout_url: `${origin}${checkoutPath(link.slug, invoice.ref)}`,
    redirect_url: link.redirectUrl,
  };
}
