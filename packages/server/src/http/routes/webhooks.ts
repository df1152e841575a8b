import type { WebhookService } from "../../services/webhooks.js";
import type { Handlers } from "../route.js";
import { serializeDelivery, serializeWebhook } from "../serializers/webhook.js";

/** Thin handlers: validated input -> one service call -> serializer. */
export function webhookHandlers(webhooks: WebhookService): Handlers {
  return {
    listWebhooks: async ({ auth }) => ({
      status: 200,
      body: { webhooks: (await webhooks.list(auth)).map(serializeWebhook) },
    }),
    createWebhook: async ({ auth, body }) => {
      const { webhook, secret } = await webhooks.create(auth, body);
      return { status: 201, body: { ...serializeWebhook(webhook), secret } };
    },
    deleteWebhook: async ({ auth, params }) => {
      await webhooks.delete(auth, params.id);
      return { status: 200, body: { ok: true } };
    },
    listWebhookDeliveries: async ({ auth, params, query }) => {
      const limit = query.limit ?? 50;
      const offset = query.offset ?? 0;
      const deliveries = await webhooks.deliveries(auth, params.id, limit, offset);
      return { status: 200, body: { deliveries: deliveries.map(serializeDelivery), limit, offset } };
    },
    redeliverWebhookDelivery: async ({ auth, params }) => ({
      status: 202,
      body: serializeDelivery(await webhooks.redeliver(auth, params.id, params.delivery_id)),
    }),
  };
}
