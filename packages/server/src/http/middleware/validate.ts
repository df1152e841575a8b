import type { ErrorObject, ValidateFunction } from "ajv";
import type { NextFunction, Request, Response } from "express";
import { ValidationError } from "../../domain/errors.js";
import { openapiDocument } from "../generated/spec.js";
import { type OperationId, operations, validators } from "../generated/validators.js";

/** `/lines/0/quantity` -> `lines[0].quantity` */
function fieldName(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (extra) parts.push(extra);
  return parts.map((p, i) => (/^[0-9]+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function describe(errors: ErrorObject[], where: string): ValidationError {
  // A failed oneOf/anyOf reports each branch; the outer error names the field with a clearer message.
  const outer = errors.find((e) => e.keyword === "oneOf" || e.keyword === "anyOf");
  const e = outer ?? errors[0];
  if (e?.schemaPath.includes("DecimalInput")) {
    return new ValidationError(
      'must be a decimal number: a string like "12.34" or a JSON number',
      (where === "body" ? "" : `${where} parameter `) + fieldName(e.instancePath),
    );
  }
  if (!e) return new ValidationError(`invalid ${where}`);
  const params = e.params as Record<string, unknown>;
  const prefix = where === "body" ? "" : `${where} parameter `;
  switch (e.keyword) {
    case "required":
      return new ValidationError("is required", prefix + fieldName(e.instancePath, String(params.missingProperty)));
    case "additionalProperties":
      return new ValidationError(
        `unknown field "${String(params.additionalProperty)}"`,
        prefix + (fieldName(e.instancePath) || where),
      );
    case "oneOf":
    case "anyOf":
      return new ValidationError(
        'must be a decimal number: a string like "12.34" or a JSON number',
        prefix + fieldName(e.instancePath),
      );
    case "enum":
      return new ValidationError(
        `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
        prefix + fieldName(e.instancePath),
      );
    default:
      return new ValidationError(e.message ?? "is invalid", prefix + (fieldName(e.instancePath) || where));
  }
}

function check(fn: ValidateFunction | undefined, data: unknown, where: string): void {
  if (fn && !fn(data)) throw describe(fn.errors ?? [], where);
}

/** Whether the spec requires the operation's body (an optional one may be left out entirely). */
function bodyRequired(operationId: OperationId): boolean {
  const { openapiPath, method } = operations[operationId];
  const paths = openapiDocument.paths as Record<string, Record<string, { requestBody?: { required?: boolean } }>>;
  return paths[openapiPath]?.[method]?.requestBody?.required === true;
}

export interface ValidatedInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
}

/**
 * The one validation middleware: looks up the generated validators of `operationId` and checks path
 * parameters, query, headers and body. Coerced/defaulted copies go to `res.locals.input` (Express 5's
 * `req.query` is read-only).
 */
export function validate(operationId: OperationId) {
  const v = validators[operationId];
  const requireBody = bodyRequired(operationId);
  return (req: Request, res: Response, next: NextFunction): void => {
    const params = { ...req.params };
    const query = { ...(req.query as Record<string, unknown>) };
    const headers: Record<string, unknown> = {};
    const idem = req.get("idempotency-key");
    if (idem !== undefined) headers["idempotency-key"] = idem;
    check(v.params, params, "path");
    check(v.query, query, "query");
    check(v.headers, headers, "header");
    if (v.body && (req.body !== undefined || requireBody)) {
      if (req.body === undefined) {
        throw new ValidationError("request body must be JSON, sent with 'Content-Type: application/json'");
      }
      check(v.body, req.body, "body");
    }
    res.locals.input = { params, query, headers, body: req.body } satisfies ValidatedInput;
    next();
  };
}
