import type { NextFunction, Request, Response } from "express";
import { DomainError, RateLimitedError } from "../../domain/errors.js";

/**
 * The one place errors become HTTP. Domain errors carry their status and a client-safe message;
 * body-parser errors are the client's; anything else is our bug: logged with the request id, and the
 * client gets a generic 500 without stack or SQL.
 */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  if (err instanceof DomainError) {
    if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
    res.status(err.status).json({ error: err.message });
    return;
  }
  const parserError = err as { type?: string; status?: number; limit?: number };
  if (parserError.type === "entity.parse.failed") {
    res.status(400).json({ error: "request body is not valid JSON" });
    return;
  }
  if (parserError.type === "entity.too.large") {
    res.status(413).json({ error: `request body is larger than the limit of ${parserError.limit} bytes` });
    return;
  }
  if (typeof parserError.status === "number" && parserError.status >= 400 && parserError.status < 500) {
    res.status(parserError.status).json({ error: "bad request body" });
    return;
  }
  res.locals.log?.error({ err }, "unhandled error");
  res.status(500).json({ error: "internal server error", request_id: res.locals.requestId });
}

export function notFound(req: Request, res: Response): void {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
}
