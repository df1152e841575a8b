import type { Request } from "express";

/**
 * `<protocol>://<host>` of the request, for the absolute URLs answers carry (`checkout_url`).
 * Behind a reverse proxy, BTPAY_TRUST_PROXY makes Express read X-Forwarded-Proto/Host.
 */
export function requestOrigin(req: Request): string {
  return `${req.protocol}://${req.host || "localhost"}`;
}

/** The hosted checkout page of an invoice. */
export function checkoutPath(ref: string): string {
  return `/i/${encodeURIComponent(ref)}`;
}
