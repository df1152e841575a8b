import type { DeliveryRecord, WebhookRecord } from "../../ports.js";
import { eventId } from "../../webhooks/payload.js";
import type { components } from "../generated/openapi.js";
import { unixSeconds } from "./invoice.js";

type Webhook = components["schemas"]["Webhook"];
type WebhookDelivery = components["schemas"]["WebhookDelivery"];

export function serializeWebhook(w: WebhookRecord): Webhook {
  return {
    id: w.id,
    url: w.url,
    events: w.events as Webhook["events"],
    is_active: w.isActive,
    description: w.description,
    created_at: unixSeconds(w.createdAt),
  };
}

export function serializeDelivery(d: DeliveryRecord): WebhookDelivery {
  return {
    id: d.id,
    event_id: eventId(d.eventId),
    event: d.eventType as WebhookDelivery["event"],
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt ? unixSeconds(d.nextAttemptAt) : null,
    delivered_at: d.deliveredAt ? unixSeconds(d.deliveredAt) : null,
    created_at: unixSeconds(d.createdAt),
    attempt_log: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      started_at: unixSeconds(a.startedAt),
      duration_ms: a.durationMs,
      status: a.status,
      error: a.error,
    })),
  };
}
