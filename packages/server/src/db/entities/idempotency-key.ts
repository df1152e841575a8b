import { defineEntity, p } from "@mikro-orm/core";

/**
 * A remembered POST. The row is inserted in the same transaction as the work it guards, so a
 * concurrent retry waits on the primary key and then sees the stored answer, and a request that
 * fails rolls the key back with everything else.
 */
export const IdempotencyKeyEntity = defineEntity({
  name: "IdempotencyKey",
  tableName: "idempotency_key",
  properties: {
    storeId: p.string().length(32).primary(),
    key: p.string().length(255).primary(),
    operation: p.string().length(64),
    requestHash: p.string().length(64),
    responseStatus: p.integer(),
    responseBody: p.json<unknown>(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});
