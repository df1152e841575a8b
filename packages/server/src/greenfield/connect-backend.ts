import { createHash } from "node:crypto";
import type { GreenfieldBackend } from "@btpay/woocommerce-bridge";
import { GREENFIELD_KEY_ACCESS } from "@btpay/woocommerce-bridge";
import { RateLimitedError } from "../domain/errors.js";
import { pageLanguage } from "../http/pages/page-language.js";
import { ApiKeyService } from "../services/api-keys.js";
import { RateLimiter } from "../services/rate-limiter.js";
import { normalizeEmail, UserService } from "../services/users.js";
import type { GreenfieldDeps } from "./deps.js";

/**
 * Sign-in attempts allowed per minute, per client address and per email (counted in Postgres like
 * every btpay limit, so all server processes share them). An owner signs in a few times a year; a
 * guesser gets 10 tries a minute, each costing a scrypt on our side.
 */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

/** The connect flow (`/api-keys/authorize`) and the modal checkout page over btpay's services. */
export function connectBackend(deps: GreenfieldDeps): GreenfieldBackend["connect"] {
  const users = new UserService(deps.db);
  const keys = new ApiKeyService(deps.db);
  const limiter = new RateLimiter(deps.db, deps.clock, LOGIN_ATTEMPTS_PER_MINUTE);
  // Its own instance of the bundle reader: it only reads the built file's hash, once.
  const { assets } = deps;

  const hit = async (bucket: string): Promise<number | null> => {
    try {
      await limiter.hit(bucket);
      return null;
    } catch (err) {
      if (err instanceof RateLimitedError) return err.retryAfterSeconds;
      throw err;
    }
  };

  return {
    async signIn(email, password, clientAddress) {
      // Emails are hashed into the bucket name: the counter table need not hold them.
      const emailBucket = createHash("sha256").update(normalizeEmail(email)).digest("hex").slice(0, 32);
      const wait =
        (await hit(`connect-login:ip:${clientAddress}`)) ?? (await hit(`connect-login:email:${emailBucket}`));
      if (wait !== null) return { kind: "rate-limited", retryAfterSeconds: wait };
      const user = await users.authenticate(email, password);
      return user ? { kind: "ok", user: { id: user.id, email: user.email } } : { kind: "wrong" };
    },
    async user(id) {
      const user = await users.get(id);
      return user ? { id: user.id, email: user.email } : null;
    },
    ownedStores: (userId) => users.ownedStores(userId),
    async createKey({ userId, storeId, permissions, name }) {
      const owned = await users.ownedStores(userId);
      if (!owned.some((s) => s.id === storeId)) return null;
      const created = await keys.create({ storeId, name, access: GREENFIELD_KEY_ACCESS, permissions, userId });
      // The key itself is never logged; its public prefix identifies it in `btpay api-key list`.
      deps.logger.info(
        { storeId, userId, keyPrefix: created.record.prefix, permissions },
        "greenfield api key granted",
      );
      return { apiKey: created.key };
    },
    sealSession: (plaintext) => deps.box.seal(plaintext),
    openSession(sealed) {
      try {
        return deps.box.open(sealed);
      } catch {
        return null;
      }
    },
    now: () => deps.clock.now(),
    invoiceElementUrl: () => assets.url("btpay-invoice.js"),
    pageLanguage: (query, acceptLanguage) => pageLanguage(query, acceptLanguage),
  };
}
