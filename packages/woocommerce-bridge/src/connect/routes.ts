import { Router } from "express";
import type { GreenfieldBackend } from "../ports.js";
import type { GreenfieldOptions } from "../router.js";

/** Placeholder: filled in with the connect flow. */
export function connectPages(_backend: GreenfieldBackend, _opts: GreenfieldOptions): Router {
  return Router();
}
