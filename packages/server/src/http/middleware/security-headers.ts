import type { NextFunction, Request, Response } from "express";

/**
 * Conservative defaults for an API that handles money: no sniffing, no framing, no referrer leaks,
 * and a CSP that lets a JSON answer do nothing at all. Pages that need more (the docs page) widen
 * the CSP for themselves.
 */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
  res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.setHeader("Cache-Control", "no-store");
  next();
}
