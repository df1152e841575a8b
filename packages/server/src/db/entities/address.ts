import { defineEntity, p } from "@mikro-orm/core";
import { InvoiceEntity } from "./invoice.js";
import { WalletEntity } from "./wallet.js";

/**
 * Every address btpay ever handed out. `invoice` is the invoice currently holding it: unique, so no
 * address is ever held by two invoices at once (a database constraint, not luck). `state` is
 * `assigned` or `released` (its invoice was cancelled and no payment to it was ever seen).
 */
export const AddressEntity = defineEntity({
  name: "Address",
  tableName: "address",
  uniques: [{ name: "address_wallet_chain_index_unique", properties: ["wallet", "chain", "derivationIndex"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    wallet: () => p.manyToOne(WalletEntity).deleteRule("cascade"),
    chain: p.smallint(),
    derivationIndex: p.integer(),
    address: p.string().length(100).unique(),
    scriptPubkey: p.string().length(140),
    state: p.string().length(16),
    invoice: () => p.manyToOne(InvoiceEntity).nullable().unique().deleteRule("set null"),
    paymentSeen: p.boolean().default(false),
    releasedAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
