/**
 * Typed domain errors, one class per HTTP category (stripe-node style).
 *
 * Services and domain code throw these; the single HTTP error middleware maps `status` to the response
 * code and `message` to the body `{ "error": message }`. Anything that is NOT a DomainError is a bug and
 * becomes a generic 500, so every message here must be safe and useful to show a client: say what the
 * caller did wrong, never internals (no SQL, no stack, no ids of other tenants).
 */

export class DomainError extends Error {
  /** HTTP status the error middleware answers with. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    // new.target so subclasses get their own name in logs without repeating it.
    this.name = new.target.name;
    this.status = status;
  }
}

/**
 * 400: the request is malformed or breaks a business rule. `field` is the offending input in path form
 * (`lines[1].quantity`) and is prefixed to the message, so the client sees
 * `"lines[1].quantity: must not be negative"` without the middleware knowing about fields.
 */
export class ValidationError extends DomainError {
  readonly field: string | undefined;
  /** The message without the field prefix. */
  readonly reason: string;

  constructor(reason: string, field?: string) {
    super(400, field ? `${field}: ${reason}` : reason);
    this.field = field;
    this.reason = reason;
  }
}

/** 401: no API key, or one we do not recognise. */
export class UnauthorizedError extends DomainError {
  constructor(message = "missing or invalid API key") {
    super(401, message);
  }
}

/** 403: authenticated, but this key may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message = "insufficient permissions") {
    super(403, message);
  }
}

/** 404: also used for resources of another store, so existence never leaks across tenants. */
export class NotFoundError extends DomainError {
  constructor(message = "not found") {
    super(404, message);
  }
}

/** 409: the request is valid but the resource's current state forbids it (e.g. finalizing a paid invoice). */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, message);
  }
}

/** 429: the middleware also sends `Retry-After: retryAfterSeconds`. */
export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message?: string) {
    super(429, message ?? `rate limit exceeded; retry in ${retryAfterSeconds} seconds`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 501: a documented feature this server does not offer (yet), e.g. a payment method not configured. */
export class NotImplementedError extends DomainError {
  constructor(message = "not implemented") {
    super(501, message);
  }
}
