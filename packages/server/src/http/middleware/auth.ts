import type { NextFunction, Request, Response } from "express";
import type { Database } from "../../ports.js";
import { type AuthCache, authenticate, requireWriteAccess } from "../../services/auth.js";
import type { RateLimiter } from "../../services/rate-limiter.js";

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Bearer auth, then the per-key rate limit, then the read-only check. Runs before the body is parsed,
 * so nobody without a key makes the server parse anything.
 */
export function apiAuth(db: Database, limiter: RateLimiter, cache: AuthCache) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const { limit: state, ...auth } = await authenticate(db, limiter, cache, req.get("authorization"));
    res.locals.auth = auth;
    res.setHeader("X-RateLimit-Limit", String(state.limit));
    res.setHeader("X-RateLimit-Remaining", String(state.remaining));
    res.setHeader("X-RateLimit-Reset", String(state.resetAt));
    if (!READ_METHODS.has(req.method)) requireWriteAccess(auth);
    next();
  };
}
