import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * A refund owed to a payer (a Greenfield pull payment): the amount, then the address the payer
 * leaves on its claim page, then the txid once the merchant paid it from their own wallet (btpay
 * holds no keys). `ref` is the public id in the claim page's URL.
 */
export const RefundEntity = defineEntity({
  name: "Refund",
  tableName: "refund",
  indexes: [{ name: "refund_store_idx", properties: ["store", "id"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    ref: p.string().length(32).unique(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    // The invoice being refunded, when the shop said which (nullable: a pull payment may stand alone).
    invoiceId: p.integer().nullable(),
    name: p.string().length(200),
    description: p.text().nullable(),
    amount: p.decimal("string").precision(30).scale(8),
    currency: p.string().length(3),
    // awaiting_claim -> claimed (address given) -> paid (txid recorded) | cancelled
    state: p.string().length(16).default("awaiting_claim"),
    claimAddress: p.string().length(100).nullable(),
    // The BTC amount fixed when the payer claimed (at that moment's rate), and the txid once paid.
    claimAmountSats: p.bigint("bigint").nullable(),
    claimRate: p.decimal("string").precision(30).scale(8).nullable(),
    txid: p.string().length(64).nullable(),
    expiresAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
    claimedAt: p.datetime().nullable(),
    paidAt: p.datetime().nullable(),
  },
});
