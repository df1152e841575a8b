import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * How many invoices a store has in each status, kept exact by a trigger on `invoice` (migration
 * 20261121061000), so the list endpoint's `total` costs a few rows however long the history is.
 */
export const InvoiceStatusCountEntity = defineEntity({
  name: "InvoiceStatusCount",
  tableName: "invoice_status_count",
  properties: {
    store: () => p.manyToOne(StoreEntity).primary().deleteRule("cascade"),
    status: p.string().length(16).primary(),
    n: p.bigint("number").default(0),
  },
});
