import { defineEntity, p } from "@mikro-orm/core";
import { WebhookDeliveryEntity } from "./webhook-delivery.js";

/** Every delivery attempt: when, how long, what the endpoint answered or what went wrong. */
export const WebhookAttemptEntity = defineEntity({
  name: "WebhookAttempt",
  tableName: "webhook_attempt",
  indexes: [{ name: "webhook_attempt_delivery_idx", properties: ["delivery"] }],
  properties: {
    id: p.bigint("number").primary().autoincrement(),
    delivery: () => p.manyToOne(WebhookDeliveryEntity).deleteRule("cascade"),
    attempt: p.integer(),
    startedAt: p.datetime(),
    durationMs: p.integer(),
    status: p.integer().nullable(),
    error: p.text().nullable(),
    responseSnippet: p.text().nullable(),
  },
});
