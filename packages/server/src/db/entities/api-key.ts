import { defineEntity, p } from "@mikro-orm/core";
import { StoreEntity } from "./store.js";

/**
 * An API key. Only a SHA-256 of the whole key is stored (keys carry 190 bits of randomness, so a slow
 * password hash would add latency to every request without adding safety); the short `prefix` is the
 * public part shown in listings so a merchant can tell keys apart.
 */
export const ApiKeyEntity = defineEntity({
  name: "ApiKey",
  tableName: "api_key",
  properties: {
    id: p.integer().primary().autoincrement(),
    store: () => p.manyToOne(StoreEntity).deleteRule("cascade"),
    name: p.string().length(200),
    prefix: p.string().length(32).unique(),
    keyHash: p.string().length(64).unique(),
    access: p.string().length(16),
    // Greenfield keys (the WooCommerce bridge): the permissions granted (`btcpay.store.canviewinvoices`
    // ...), all scoped to this key's store, and the user who granted them. Null for btpay's own keys.
    permissions: p.array().columnType("text[]").nullable(),
    userId: p.string().length(32).nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
    revokedAt: p.datetime().nullable(),
  },
});
