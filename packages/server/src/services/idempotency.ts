import { createHash } from "node:crypto";
import { DomainError } from "../domain/errors.js";
import type { Database, Repositories } from "../ports.js";

export interface Reply {
  status: number;
  body: unknown;
}

/** 422, as in the IETF Idempotency-Key draft: the key was already used for a different request. */
export class IdempotencyMismatchError extends DomainError {
  constructor() {
    super(422, "Idempotency-Key was already used with a different request; use a new key for a new request");
  }
}

/** Stable JSON: object keys sorted, so the same body sent with keys in another order hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** What identifies a request under a key: its operation and its body, whatever the order of its fields. */
export function requestHash(operation: string, request: unknown): string {
  return createHash("sha256")
    .update(`${operation}\n${canonical(request)}`)
    .digest("hex");
}

/**
 * Runs `work` once per (store, key): the key is claimed in the same transaction as the work, a retry
 * gets the first reply verbatim, and a failed attempt (any thrown error) leaves no trace.
 *
 * Without a key there is nothing to claim and `work` runs on plain repositories: it must be atomic
 * by itself (a single statement, as invoice creation is) — a BEGIN/COMMIT pair around one statement
 * would add two round trips to every create for nothing.
 */
export async function idempotent(
  db: Database,
  scope: { storeId: string; key: string | undefined; operation: string; request: unknown },
  work: (repos: Repositories) => Promise<Reply>,
): Promise<Reply> {
  const { key } = scope;
  if (key === undefined) return work(db.repos());
  const hash = requestHash(scope.operation, scope.request);
  return db.transaction(async (repos) => {
    const earlier = await repos.idempotency.claim(scope.storeId, key, scope.operation, hash);
    if (earlier) {
      if (earlier.requestHash !== hash) throw new IdempotencyMismatchError();
      return { status: earlier.status, body: earlier.body };
    }
    const reply = await work(repos);
    await repos.idempotency.complete(scope.storeId, key, reply.status, reply.body);
    return reply;
  });
}
