import { defineEntity, p } from "@mikro-orm/core";
import { InvoiceEntity } from "./invoice.js";

export const InvoiceLineEntity = defineEntity({
  name: "InvoiceLine",
  tableName: "invoice_line",
  uniques: [{ name: "invoice_line_position_unique", properties: ["invoice", "position"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    invoice: () => p.manyToOne(InvoiceEntity).deleteRule("cascade"),
    position: p.integer(),
    description: p.string().length(500),
    quantity: p.decimal("string").precision(30).scale(8),
    unitPrice: p.decimal("string").precision(30).scale(8),
    amount: p.decimal("string").precision(30).scale(8),
  },
});
