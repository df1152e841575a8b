import type { NextFunction, Request, Response } from "express";

/**
 * Greenfield's error bodies: `{ code, message }` for 400/401/403/404/409/429, and for validation a
 * 422 with `[{ path, message }]`. Shop plugins read `code`, so codes follow BTCPay's spelling
 * (`unauthenticated`, `missing-permission`, `invoice-not-found`, `store-not-found`, ...).
 */
export class GreenfieldError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface FieldError {
  path: string;
  message: string;
}

/** 422 with Greenfield's validation array. */
export class GreenfieldValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.path}: ${e.message}`).join("; "));
  }
}

export const unauthenticated = (message = "Authentication is required for accessing this endpoint") =>
  new GreenfieldError(401, "unauthenticated", message);
export const missingPermission = (permission: string) =>
  new GreenfieldError(
    403,
    "missing-permission",
    `Insufficient API Permissions. Please use an API key with permission: ${permission}`,
  );
export const notFound = (code: string, message: string) => new GreenfieldError(404, code, message);
export const badRequest = (code: string, message: string) => new GreenfieldError(400, code, message);

/** A Greenfield path nobody serves: JSON, like every other answer. */
export function greenfieldNotFound(req: Request, res: Response): void {
  res.status(404).json({ code: "not-found", message: `no route for ${req.method} ${req.originalUrl.split("?")[0]}` });
}

/** One error middleware for the Greenfield API. Unknown errors: a logged 500 without internals. */
export function greenfieldErrors(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  if (err instanceof GreenfieldValidationError) {
    res.status(422).json(err.errors);
    return;
  }
  if (err instanceof GreenfieldError) {
    res.status(err.status).json({ code: err.code, message: err.message });
    return;
  }
  // Body parser errors (bad JSON, too large) carry their own 4xx status.
  const parser = err as { status?: number; type?: string };
  if (typeof parser.status === "number" && parser.status >= 400 && parser.status < 500) {
    res.status(parser.status).json({
      code: parser.type === "entity.too.large" ? "payload-too-large" : "invalid-json",
      message: "the request body could not be read",
    });
    return;
  }
  (res.locals.log as { error?: (o: unknown, m: string) => void } | undefined)?.error?.({ err }, "unhandled error");
  res
    .status(500)
    .json({ code: "server-error", message: `internal error (request ${String(res.locals.requestId ?? "")})` });
}
