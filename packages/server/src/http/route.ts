import { type Request, type Response, Router } from "express";
import { NotImplementedError } from "../domain/errors.js";
import type { AuthContext } from "../services/auth.js";
import type { operations } from "./generated/openapi.js";
import { type OperationId, operations as operationTable } from "./generated/validators.js";
import { type ValidatedInput, validate } from "./middleware/validate.js";

type Op<O extends OperationId> = operations[O];
type PathOf<O extends OperationId> =
  Op<O> extends { parameters: { path: infer P } } ? (P extends undefined ? never : P) : never;
type QueryOf<O extends OperationId> = Op<O> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
type BodyOf<O extends OperationId> =
  Op<O> extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : Op<O> extends { requestBody?: { content: { "application/json": infer B } } }
      ? B | undefined
      : undefined;

/** What a handler gets: validated input typed from the spec, and the caller. */
export interface HandlerInput<O extends OperationId> {
  params: PathOf<O>;
  query: QueryOf<O>;
  body: BodyOf<O>;
  idempotencyKey: string | undefined;
  auth: AuthContext;
  req: Request;
}

/** A body already rendered as JSON text: sent as it is, as `application/json`. */
export class JsonText {
  constructor(readonly text: string | Buffer) {}
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler<O extends OperationId> = (input: HandlerInput<O>) => Promise<Reply>;
export type Handlers = { [O in OperationId]?: Handler<O> };

/**
 * Mounts every operation of the spec on a router at the method and path the spec gives it: handlers
 * never restate paths. An operation without a handler yet answers 501; a known path with the wrong
 * method answers 405 with `Allow`.
 */
export function mountOperations(handlers: Handlers, scope: { prefix?: string; exclude?: string } = {}): Router {
  const router = Router();
  const allowed = new Map<string, string[]>();
  for (const [id, op] of Object.entries(operationTable) as [OperationId, { method: string; path: string }][]) {
    // `prefix` mounts only the operations under it (at their path without it): the public router
    // lives at /api/v1/public with its own middleware; `exclude` keeps them out of the keyed router.
    if (scope.exclude && op.path.startsWith(scope.exclude)) continue;
    if (scope.prefix && !op.path.startsWith(scope.prefix)) continue;
    const method = op.method;
    const path = scope.prefix ? op.path.slice(scope.prefix.length) : op.path;
    allowed.set(path, [...(allowed.get(path) ?? []), method.toUpperCase()]);
    const handler = handlers[id] as Handler<OperationId> | undefined;
    const m = method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    router[m](path, validate(id), async (req: Request, res: Response) => {
      if (!handler) throw new NotImplementedError(`${id} is not available on this server yet`);
      const input = res.locals.input as ValidatedInput;
      const reply = await handler({
        params: input.params as never,
        query: input.query as never,
        body: input.body as never,
        idempotencyKey: input.headers["idempotency-key"] as string | undefined,
        auth: res.locals.auth as AuthContext,
        req,
      });
      for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
      if (reply.status === 304) {
        res.status(304).end();
        return;
      }
      if (reply.body instanceof JsonText) res.status(reply.status).type("application/json").send(reply.body.text);
      else res.status(reply.status).json(reply.body);
    });
  }
  for (const [path, methods] of allowed) {
    const allow = [...new Set([...methods, ...(methods.includes("GET") ? ["HEAD"] : [])])].join(", ");
    router.all(path, (req, res) => {
      res.setHeader("Allow", allow);
      res
        .status(405)
        .json({ error: `method ${req.method} not allowed on ${req.baseUrl}${req.path}; allowed: ${allow}` });
    });
  }
  return router;
}
