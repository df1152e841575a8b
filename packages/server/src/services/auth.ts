import { ForbiddenError, UnauthorizedError } from "../domain/errors.js";
import { hashApiKey, looksLikeApiKey } from "../domain/ids.js";
import type { ApiKeyRecord, Database, StoreRecord } from "../ports.js";
import type { RateLimiter, RateLimitState } from "./rate-limiter.js";

/** Who is calling: the key and the one store it may act on. */
export interface AuthContext {
  key: ApiKeyRecord;
  store: StoreRecord;
}

/**
 * Reads `Authorization: Bearer <key>` (every failure is a 401 that says what to send instead) and
 * counts the request against the key's rate limit (429 when over it), in one database round trip.
 */
export async function authenticate(
  db: Database,
  limiter: RateLimiter,
  authorization: string | undefined,
): Promise<AuthContext & { limit: RateLimitState }> {
  if (!authorization) {
    throw new UnauthorizedError("missing API key: send the header 'Authorization: Bearer <your API key>'");
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) {
    throw new UnauthorizedError("malformed Authorization header: expected 'Bearer <your API key>'");
  }
  const token = match[1];
  // Keys of the wrong shape cannot exist, so they cost no database round trip.
  const window = limiter.window();
  const found = looksLikeApiKey(token) ? await db.repos().apiKeys.authenticate(hashApiKey(token), window.start) : null;
  if (!found) throw new UnauthorizedError("invalid or revoked API key");
  return { key: found.key, store: found.store, limit: limiter.check(found.hits, window) };
}

/** Read-only keys may read anything of their store and change nothing. */
export function requireWriteAccess(auth: AuthContext): void {
  if (auth.key.access !== "full") {
    throw new ForbiddenError("this API key is read-only; use a full-access key to make changes");
  }
}
