import { Router } from "express";
import type { GreenfieldBackend } from "../ports.js";

/** Placeholder: filled in with this area's routes. */
export function checkoutPages(_backend: GreenfieldBackend): Router {
  return Router();
}
