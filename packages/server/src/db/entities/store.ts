import { defineEntity, p } from "@mikro-orm/core";

/** A merchant's shop. Every other object belongs to exactly one store. */
export const StoreEntity = defineEntity({
  name: "Store",
  tableName: "store",
  properties: {
    id: p.string().primary().length(32),
    name: p.string().length(200),
    invoicePrefix: p.string().length(20),
    // The next invoice number to hand out. Incremented with UPDATE ... RETURNING inside the invoice's
    // own transaction, so a rolled-back create consumes no number and concurrent creates serialize here.
    nextInvoiceNumber: p.integer().default(1),
    defaultCurrency: p.string().length(3),
    // Percent added to the BTC amount (the payer pays MORE BTC), e.g. to cover exchange costs.
    markupPercent: p.decimal("string").precision(10).scale(4).default("0"),
    // Invoice policy defaults: confirmations for `confirmed` (0, 1, 2 or 6) and accepted underpayment.
    requiredConfirmations: p.smallint().default(1),
    underpaymentTolerancePercent: p.decimal("string").precision(9).scale(6).default("0"),
    // The person who may grant apps access to this store (Greenfield `/api-keys/authorize`).
    ownerUserId: p.string().length(32).nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
