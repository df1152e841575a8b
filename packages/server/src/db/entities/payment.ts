import { defineEntity, p } from "@mikro-orm/core";
import { InvoiceEntity } from "./invoice.js";

/**
 * One transaction output paying an invoice's address. (txid, vout) is UNIQUE: an output can never
 * be counted twice nor credited to two invoices. Rows are never deleted; a payment that left the
 * chain or the mempool is kept with state `reorged` / `replaced`.
 */
export const PaymentEntity = defineEntity({
  name: "Payment",
  tableName: "payment",
  indexes: [{ name: "payment_invoice_idx", properties: ["invoice"] }],
  uniques: [{ name: "payment_txid_vout_unique", properties: ["txid", "vout"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    invoice: () => p.manyToOne(InvoiceEntity).deleteRule("cascade"),
    address: p.string().length(100),
    txid: p.string().length(64),
    vout: p.integer(),
    amountSats: p.bigint("bigint"),
    state: p.string().length(16),
    blockHeight: p.integer().nullable(),
    blockHash: p.string().length(64).nullable(),
    late: p.boolean().default(false),
    // payment.confirmed was announced for the current confirmations (reset when a reorg takes them).
    confirmedAnnounced: p.boolean().default(false),
    firstSeenAt: p.datetime(),
    updatedAt: p.datetime().defaultRaw("now()"),
  },
});
