import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../../logger.js";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every request an id (the caller's X-Request-Id when it is sane, else a new UUID), echoes it,
 * and writes one access line when the response ends. Only method, path, status and timing are logged:
 * never headers, query strings or bodies, which may carry keys or customer data.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.get("x-request-id");
    const id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.locals.log = logger.child({ requestId: id });
    res.setHeader("X-Request-Id", id);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      // Tenths of a millisecond, computed on integers (bigint nanoseconds).
      const durationMs = Number((process.hrtime.bigint() - started) / 100_000n) / 10;
      const line = { method: req.method, path: req.path, status: res.statusCode, durationMs };
      // An unchanged answer to a poll (every open checkout page, every few seconds) says nothing an
      // operator needs at info level; at scale these lines were a fifth of the cost of serving them.
      if (res.statusCode === 304) res.locals.log.debug(line, "request");
      else res.locals.log.info(line, "request");
    });
    next();
  };
}
