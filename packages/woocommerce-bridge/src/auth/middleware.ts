import type { NextFunction, Request, Response } from "express";
import type { AuthBackend } from "./backend.js";

/** Placeholder until Greenfield authentication lands (owned by the API work). */
export function greenfieldAuth(_backend: AuthBackend) {
  return (_req: Request, res: Response, _next: NextFunction): void => {
    res.status(401).json({ code: "unauthenticated", message: "not implemented yet" });
  };
}
