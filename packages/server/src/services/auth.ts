import { ForbiddenError, UnauthorizedError } from "../domain/errors.js";
import { hashApiKey, looksLikeApiKey } from "../domain/ids.js";
import type { ApiKeyRecord, Database, StoreRecord } from "../ports.js";
import type { RateLimiter, RateLimitState } from "./rate-limiter.js";

/** Who is calling: the key and the one store it may act on. */
export interface AuthContext {
  key: ApiKeyRecord;
  store: StoreRecord;
}

/** The store a use case acts for: an API key's, or a payment link's for a payer without a key. */
export type StoreScope = Pick<AuthContext, "store">;

/**
 * Keys recently seen valid, so most requests need no database round trip to authenticate. A revoked
 * key therefore keeps working in a process for at most `ttlMs` (BTPAY_AUTH_CACHE_SECONDS, default 2;
 * 0 turns the cache off). Unknown keys are never cached.
 */
export class AuthCache {
  private readonly entries = new Map<string, { ctx: AuthContext; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(hash: string): AuthContext | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.ctx;
  }

  set(hash: string, ctx: AuthContext): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= 10_000) this.entries.clear();
    this.entries.set(hash, { ctx, until: this.now() + this.ttlMs });
  }
}

/**
 * Reads `Authorization: Bearer <key>` (every failure is a 401 that says what to send instead) and
 * counts the request against the key's rate limit (429 when over it). A key not in the cache is
 * looked up and counted in one database round trip; a cached key with leased tokens needs none.
 */
export async function authenticate(
  db: Database,
  limiter: RateLimiter,
  cache: AuthCache,
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
  if (!looksLikeApiKey(token)) throw new UnauthorizedError("invalid or revoked API key");
  const hash = hashApiKey(token);
  const window = limiter.window();
  const cached = cache.get(hash);
  if (cached) return { ...cached, limit: await limiter.hit(`key:${cached.key.id}`) };
  const found = await db.repos().apiKeys.authenticate(hash, window.start, limiter.chunk);
  if (!found) throw new UnauthorizedError("invalid or revoked API key");
  const ctx: AuthContext = { key: found.key, store: found.store };
  cache.set(hash, ctx);
  return { ...ctx, limit: limiter.granted(`key:${found.key.id}`, found.hits, window) };
}

/** Read-only keys may read anything of their store and change nothing. */
export function requireWriteAccess(auth: AuthContext): void {
  if (auth.key.access !== "full") {
    throw new ForbiddenError("this API key is read-only; use a full-access key to make changes");
  }
}
