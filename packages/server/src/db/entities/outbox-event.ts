import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * The durable outbox: every lifecycle transition appends its events here in the same transaction
 * that changes the invoice, so an event exists exactly when its change does. The webhook dispatcher
 * delivers from this table.
 */
export const OutboxEventEntity = defineEntity({
  name: "OutboxEvent",
  tableName: "outbox_event",
  indexes: [{ name: "outbox_event_store_id_idx", properties: ["store", "id"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    type: p.string().length(40),
    invoiceId: p.bigint("number").nullable(),
    data: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
