import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import { hashApiKey, looksLikeApiKey } from "../domain/ids.js";
import type { GreenfieldDeps } from "./deps.js";

/**
 * Greenfield keys are btpay API keys: looked up by hash, refused once revoked. Every Greenfield
 * call pays one round trip for it (no cache: a key revoked in the CLI stops working at once), and
 * the same statement counts the call in the key's rate-limit window, so btpay's budget per key sees
 * its Greenfield calls too (BTPAY_RATE_LIMIT_PER_MINUTE is enforced on btpay's own API).
 */
export function authBackend(deps: GreenfieldDeps): GreenfieldBackend["auth"] {
  const { db, clock, config } = deps;
  return {
    async authenticate(apiKey) {
      // Keys of another shape cannot exist, so they cost no database round trip.
      if (!looksLikeApiKey(apiKey)) return null;
      const now = Math.floor(clock.now().getTime() / 1000);
      const found = await db.repos().apiKeys.authenticate(hashApiKey(apiKey), now - (now % 60), 1);
      if (!found) return null;
      const { key } = found;
      return {
        keyId: key.id,
        storeId: key.storeId,
        label: key.name,
        access: key.access,
        permissions: key.permissions,
        userId: key.userId,
      };
    },
    async serverStatus() {
      const tip = await db.repos().chain.tip(config.network);
      return { tipHeight: tip?.height ?? null };
    },
    async user(id) {
      const user = await db.repos().users.get(id);
      return user ? { id: user.id, email: user.email, createdAt: user.createdAt } : null;
    },
  };
}
