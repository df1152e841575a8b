import express, { Router } from "express";
import { greenfieldAuth } from "./auth/middleware.js";
import { authRoutes } from "./auth/routes.js";
import { checkoutPages } from "./checkout/routes.js";
import { connectPages } from "./connect/routes.js";
import { greenfieldErrors, greenfieldNotFound } from "./errors.js";
import { invoiceRoutes } from "./invoices/routes.js";
import type { GreenfieldBackend } from "./ports.js";
import { pullPaymentPages, pullPaymentRoutes } from "./refunds/routes.js";
import { storeRoutes } from "./stores/routes.js";
import { webhookRoutes } from "./webhooks/routes.js";

/** The Greenfield API paths: they never clash with btpay's own `/api/v1` (invoices, webhooks, ...). */
export const GREENFIELD_API_PATHS = ["/stores", "/api-keys", "/server", "/users"] as const;

export interface GreenfieldOptions {
  bodyLimitBytes: number;
}

/**
 * `/api/v1/{stores,api-keys,server,users}`: the Greenfield API, authenticated with
 * `Authorization: token <key>` (or `bearer`). Mount it at `/api/v1` before btpay's own API router.
 */
export function greenfieldApi(backend: GreenfieldBackend, opts: GreenfieldOptions): Router {
  const api = Router();
  const inner = Router();
  inner.use(greenfieldAuth(backend.auth));
  inner.use(express.json({ limit: opts.bodyLimitBytes, strict: false }));
  inner.use(authRoutes(backend));
  inner.use(storeRoutes(backend));
  inner.use(invoiceRoutes(backend));
  inner.use(webhookRoutes(backend));
  inner.use(pullPaymentRoutes(backend));
  inner.use(greenfieldNotFound);
  inner.use(greenfieldErrors);
  for (const path of GREENFIELD_API_PATHS)
    api.use(
      path,
      (req, _res, next) => {
        // Re-attach the prefix the mount took off, so area routers see whole Greenfield paths.
        req.url = `${path}${req.url === "/" ? "" : req.url}`;
        next();
      },
      inner,
    );
  return api;
}

/**
 * The browser pages shop plugins send people to: `/api-keys/authorize` (connect), `/invoice?id=
 * &view=modal` and `/modal/btcpay.js` (the modal checkout), `/invoices/{id}`, and the refund claim
 * pages. Mount at the root.
 */
export function greenfieldPages(backend: GreenfieldBackend, opts: GreenfieldOptions): Router {
  const pages = Router();
  pages.use(connectPages(backend, opts));
  pages.use(checkoutPages(backend));
  pages.use(pullPaymentPages(backend, opts));
  return pages;
}
