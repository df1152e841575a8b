import { formatFiat } from "../../domain/money-format.js";
import type { PaymentLinkRecord } from "../../domain/payment-link.js";
import type { LinkView } from "../../services/payment-link-checkout.js";
import type { components } from "../generated/openapi.js";
import { unixSeconds } from "./invoice.js";

type PaymentLink = components["schemas"]["PaymentLink"];
type PublicPaymentLink = components["schemas"]["PublicPaymentLink"];

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
