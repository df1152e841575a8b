import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * A payment link: a public page `/pay/{slug}` that turns a visit into a finalized invoice. The slug
 * is unique across the server, not only per store, because the public URL carries no store
 * (decision 0012). `amount` null = the payer chooses. Deleting deactivates.
 */
export const PaymentLinkEntity = defineEntity({
  name: "PaymentLink",
  tableName: "payment_link",
  indexes: [{ name: "payment_link_store_idx", properties: ["store", "id"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    ref: p.string().length(32).unique(),
    slug: p.string().length(100).unique(),
    title: p.string().length(200),
    description: p.text().nullable(),
    amount: p.decimal("string").precision(30).scale(8).nullable(),
    currency: p.string().length(3),
    paymentMethods: p.array().columnType("text[]"),
    redirectUrl: p.text().nullable(),
    metadata: p.json<Record<string, unknown>>(),
    isActive: p.boolean().default(true),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
