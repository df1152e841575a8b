import type { NextFunction, Request, Response } from "express";

/** Placeholder until the Greenfield error model lands (owned by the API work). */
export function greenfieldNotFound(req: Request, res: Response): void {
  res.status(404).json({ code: "not-found", message: `no route for ${req.method} ${req.originalUrl.split("?")[0]}` });
}

export function greenfieldErrors(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  res.status(500).json({ code: "server-error", message: "internal error" });
  void err;
}
