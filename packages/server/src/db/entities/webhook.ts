import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * A webhook endpoint. The signing secret is stored encrypted (AES-256-GCM with the server's key,
 * see services/secret-box.ts): btpay must be able to sign with it, and no API reads it back.
 * Deleting deactivates (`is_active` false) so the delivery history stays readable.
 */
export const WebhookEntity = defineEntity({
  name: "Webhook",
  tableName: "webhook",
  indexes: [{ name: "webhook_store_idx", properties: ["store", "isActive"] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    url: p.text(),
    events: p.array().columnType("text[]"),
    description: p.string().length(500).nullable(),
    isActive: p.boolean().default(true),
    secretEncrypted: p.text(),
    // `btpay` (the reference's payloads, X-BTPay-Signature) or `greenfield` (BTCPay's payloads,
    // BTCPay-Sig, its retry rule); a Greenfield hook's own settings (enabled, automaticRedelivery,
    // authorizedEvents) ride in `greenfield` as the shop sent them.
    format: p.string().length(16).default("btpay"),
    greenfield: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
    deletedAt: p.datetime().nullable(),
  },
});
