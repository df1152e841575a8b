import { Router } from "express";
import type { GreenfieldBackend } from "../ports.js";

/** Placeholder: filled in with this area's routes. */
export function invoiceRoutes(_backend: GreenfieldBackend): Router {
  return Router();
}
