import type { NextFunction, Request, Response } from "express";
import type { RateLimiter } from "../../services/rate-limiter.js";

/**
 * For the unauthenticated endpoints payers' browsers call (`/api/v1/public`, `/pay`): CORS open to
 * any origin (no cookies or keys are involved, so there is nothing to steal), and a rate limit per
 * client address shared by all server processes (BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE). Behind a
 * reverse proxy set BTPAY_TRUST_PROXY so `req.ip` is the payer, not the proxy.
 */
export function publicAccess(limiter: RateLimiter) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Expose-Headers", "Date, ETag, Retry-After, X-RateLimit-Remaining");
    if (req.method === "OPTIONS") {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      res.setHeader("Access-Control-Allow-Headers", "Content-Type, If-None-Match");
      res.setHeader("Access-Control-Max-Age", "86400");
      res.status(204).end();
      return;
    }
    const state = await limiter.hit(`ip:${req.ip ?? "unknown"}`);
    res.setHeader("X-RateLimit-Remaining", String(state.remaining));
    next();
  };
}
