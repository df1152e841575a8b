import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * An invoice. Fiat amounts are `numeric` (exact); the list endpoint pages by (store, id) and
 * (store, status, id) so it stays an index range scan however many invoices a store has.
 */
export const InvoiceEntity = defineEntity({
  name: "Invoice",
  tableName: "invoice",
  indexes: [
    { name: "invoice_store_id_idx", properties: ["store", "id"] },
    { name: "invoice_store_status_id_idx", properties: ["store", "status", "id"] },
    { name: "invoice_payment_link_idx", properties: ["paymentLinkId", "status"] },
  ],
  uniques: [{ name: "invoice_store_number_unique", properties: ["store", "invoiceNumber"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    ref: p.string().length(32).unique(),
    invoiceNumber: p.string().length(40),
    status: p.string().length(16),
    customerEmail: p.string().length(320).nullable(),
    customerName: p.string().length(200).nullable(),
    customerCompany: p.string().length(200).nullable(),
    currency: p.string().length(3),
    subtotal: p.decimal("string").precision(30).scale(8),
    taxRate: p.decimal("string").precision(30).scale(8).nullable(),
    taxAmount: p.decimal("string").precision(30).scale(8),
    discountAmount: p.decimal("string").precision(30).scale(8),
    total: p.decimal("string").precision(30).scale(8),
    amountPaid: p.decimal("string").precision(30).scale(8).default("0"),
    btcRate: p.decimal("string").precision(30).scale(8).nullable(),
    btcAmountSats: p.bigint("bigint").nullable(),
    btcRateSources: p.array().columnType("text[]").nullable(),
    btcRateAt: p.datetime().nullable(),
    paymentAddress: p.string().length(100).nullable(),
    finalizedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    // Lifecycle policy, fixed per invoice: confirmations for `confirmed` (store default, overridable),
    // accepted underpayment (percent), and the end of a partly paid invoice's grace period.
    requiredConfirmations: p.smallint().default(1),
    underpaymentTolerancePercent: p.decimal("string").precision(9).scale(6).default("0"),
    monitoringUntil: p.datetime().nullable(),
    // What the chain watcher derived: sats received (active payments), flags, and how long a
    // confirmed/expired invoice is still watched (null while open).
    paidSats: p.bigint("bigint").default(0),
    flags: p.array().columnType("text[]").default("{}"),
    watchUntil: p.datetime().nullable(),
    paidAt: p.datetime().nullable(),
    confirmedAt: p.datetime().nullable(),
    // Invoices a payer created through a payment link: the link, and a hash of the payer's client
    // address (so the same visitor asking again gets the same open invoice, not a new address).
    paymentLinkId: p.integer().nullable(),
    publicClient: p.string().length(64).nullable(),
    // Where the hosted checkout sends the payer once paid (http/https only, checked by the spec).
    redirectUrl: p.text().nullable(),
    // Invoices made through the Greenfield API: the checkout options as the shop sent them (echoed
    // back on reads, never queried), and a manual mark (`Settled`/`Invalid`) set by the shop.
    greenfieldCheckout: p.json<Record<string, unknown>>().nullable(),
    manualStatus: p.string().length(16).nullable(),
    // When a Greenfield invoice, paid but unconfirmed, reached its monitoring expiration: Greenfield
    // calls it Invalid from then on (set once, by the Greenfield invalidation sweep).
    greenfieldInvalidAt: p.datetime().nullable(),
    notes: p.text().default(""),
    paymentMethods: p.array().columnType("text[]"),
    metadata: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().defaultRaw("now()"),
    updatedAt: p.datetime().defaultRaw("now()"),
  },
});
