import { defineEntity, p } from "@mikro-orm/core";
import { OutboxEventEntity } from "./outbox-event.js";
import { WebhookEntity } from "./webhook.js";

/**
 * One event to one endpoint. Created by a trigger on `outbox_event` (in the event's own
 * transaction), so every event reaches every matching endpoint exactly once as a row; the dispatcher
 * then delivers at least once. `state`: pending | succeeded | failed | cancelled. A claimed delivery
 * carries `locked_until` (a lease: a process that dies mid-delivery lets it expire and another
 * retries it).
 */
export const WebhookDeliveryEntity = defineEntity({
  name: "WebhookDelivery",
  tableName: "webhook_delivery",
  uniques: [{ name: "webhook_delivery_webhook_event_unique", properties: ["webhook", "event"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    webhook: () => p.manyToOne(WebhookEntity).deleteRule("cascade"),
    event: () => p.manyToOne(OutboxEventEntity).deleteRule("cascade"),
    state: p.string().length(16),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
    lastStatus: p.integer().nullable(),
    lastError: p.text().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
