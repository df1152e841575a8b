import { formatBtc } from "../../domain/pricing.js";
import type { RefundRecord } from "../../ports/refunds.js";
import { refundAmountText } from "../../services/refunds.js";
import type { components } from "../generated/openapi.js";
import { unixSeconds } from "./invoice.js";

type Refund = components["schemas"]["Refund"];

/** The payer's claim page (served by the WooCommerce bridge; its Greenfield `viewLink`). */
export function refundClaimPath(ref: string): string {
  return `/pull-payments/${encodeURIComponent(ref)}`;
}

export function serializeRefund(r: RefundRecord, origin: string): Refund {
  return {
    ref: r.ref,
    status: r.state,
    name: r.name,
    description: r.description,
    amount: refundAmountText(r.amount, r.currency),
    currency: r.currency,
    invoice_ref: r.invoiceRef,
    claim_url: `${origin}${refundClaimPath(r.ref)}`,
    claim_address: r.claimAddress,
    claim_amount_sats: r.claimAmountSats === null ? null : r.claimAmountSats.toString(),
    claim_btc_amount: r.claimAmountSats === null ? null : formatBtc(r.claimAmountSats),
    claim_rate: r.claimRate,
    txid: r.txid,
    created_at: unixSeconds(r.createdAt),
    claimed_at: r.claimedAt ? unixSeconds(r.claimedAt) : null,
    paid_at: r.paidAt ? unixSeconds(r.paidAt) : null,
    expires_at: r.expiresAt ? unixSeconds(r.expiresAt) : null,
  };
}
