import type { Request } from "express";

/** Greenfield times are unix seconds (integers). */
export const unixSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/**
 * `<protocol>://<host>` of the request, for the absolute links answers carry (`checkoutLink`,
 * `viewLink`); behind a proxy the server's trust-proxy setting makes Express read X-Forwarded-*.
 */
export const requestOrigin = (req: Request): string => `${req.protocol}://${req.host || "localhost"}`;
