import { defineEntity, p } from "@mikro-orm/core";

/**
 * The chain tip as the watcher last saw it, one row per network: confirmations shown by the API are
 * computed from it, so every server process shows the same numbers whoever runs the watcher.
 */
export const ChainStateEntity = defineEntity({
  name: "ChainState",
  tableName: "chain_state",
  properties: {
    network: p.string().length(16).primary(),
    source: p.string().length(16),
    tipHeight: p.integer(),
    tipHash: p.string().length(64),
    updatedAt: p.datetime().defaultRaw("now()"),
  },
});
