import { defineEntity, p } from "@mikro-orm/core";

/**
 * Requests per API key per fixed one-minute window. Kept in Postgres (not in process memory) so the
 * limit holds across every server process sharing the database.
 */
export const RateLimitCounterEntity = defineEntity({
  name: "RateLimitCounter",
  tableName: "rate_limit_counter",
  properties: {
    bucket: p.string().length(80).primary(),
    windowStart: p.bigint("number").primary(),
    count: p.integer(),
  },
});
