import type { NextFunction, Request, Response } from "express";
import { DomainError, RateLimitedError } from "../../domain/errors.js";
import { renderErrorPage } from "./error-page.js";
import { sendPage } from "./layout.js";

/**
 * Errors as HTML pages: the API's error middleware answers JSON, which a payer's browser should
 * not see. `back` names where to try again from (a link page), when there is such a place.
 */
export function pageErrors(notFoundMessage: string, back: (req: Request) => string | undefined) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const retry = back(req);
    if (err instanceof DomainError && err.status < 500) {
      if (err instanceof RateLimitedError) res.setHeader("Retry-After", String(err.retryAfterSeconds));
      const message = err.status === 404 ? notFoundMessage : err.message;
      sendPage(res, err.status, renderErrorPage(err.status, message, err.status === 404 ? undefined : retry));
      return;
    }
    const parserError = err as { type?: string; status?: number };
    if (typeof parserError.status === "number" && parserError.status >= 400 && parserError.status < 500) {
      sendPage(res, parserError.status, renderErrorPage(parserError.status, "The form could not be read.", retry));
      return;
    }
    res.locals.log?.error({ err }, "unhandled error");
    sendPage(
      res,
      500,
      renderErrorPage(500, `Please try again in a moment (request ${String(res.locals.requestId ?? "")}).`, retry),
    );
  };
}
