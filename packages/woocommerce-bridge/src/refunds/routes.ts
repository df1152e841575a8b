import { Router } from "express";
import type { GreenfieldBackend } from "../ports.js";
import type { GreenfieldOptions } from "../router.js";

/** Placeholder: filled in with pull payments (API). */
export function pullPaymentRoutes(_backend: GreenfieldBackend): Router {
  return Router();
}

/** Placeholder: filled in with the refund claim pages. */
export function pullPaymentPages(_backend: GreenfieldBackend, _opts: GreenfieldOptions): Router {
  return Router();
}
