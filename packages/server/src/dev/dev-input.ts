import { ValidationError } from "../domain/errors.js";
import { PAY_KINDS, type PayKind } from "./pay-amount.js";

/**
 * Request bodies of the dev simulator API, checked before anything moves on devchain. The dev API
 * is not in openapi.yaml (it exists only in dev mode), so it validates here, with messages that say
 * what to send instead.
 */

type Body = Record<string, unknown>;

export const REORG_MODES = ["keep", "drop"] as const;
export type ReorgMode = (typeof REORG_MODES)[number];

export function payInput(raw: unknown): { ref: string; amount: PayKind } {
  const body = object(raw, ["ref", "amount"]);
  const amount = body.amount ?? "full";
  if (!PAY_KINDS.includes(amount as PayKind))
    throw new ValidationError(`must be one of ${PAY_KINDS.join(", ")}`, "amount");
  return { ref: ref(body), amount: amount as PayKind };
}

export function mineInput(raw: unknown): { blocks: number } {
  const body = object(raw, ["blocks"]);
  return { blocks: integer(body.blocks ?? 1, "blocks", 1, 100) };
}

export function reorgInput(raw: unknown): { depth: number | undefined; ref: string | undefined; mode: ReorgMode } {
  const body = object(raw, ["depth", "ref", "mode"]);
  const mode = body.mode ?? "keep";
  if (!REORG_MODES.includes(mode as ReorgMode)) {
    throw new ValidationError(
      `must be "keep" (payments wait unconfirmed) or "drop" (payments are double-spent)`,
      "mode",
    );
  }
  if (mode === "drop" && body.ref === undefined) throw new ValidationError('is required with mode "drop"', "ref");
  return {
    depth: body.depth === undefined ? undefined : integer(body.depth, "depth", 1, 10),
    ref: body.ref === undefined ? undefined : ref(body),
    mode: mode as ReorgMode,
  };
}

export function refInput(raw: unknown): { ref: string } {
  return { ref: ref(object(raw, ["ref"])) };
}

export function finalizeInput(raw: unknown): { ref: string; minutes: number } {
  const body = object(raw, ["ref", "expires_in_minutes"]);
  return { ref: ref(body), minutes: integer(body.expires_in_minutes ?? 1, "expires_in_minutes", 1, 60) };
}

export function afterInput(query: Record<string, unknown>): number {
  const after = query.after;
  if (after === undefined || after === "") return 0;
  if (typeof after !== "string" || !/^\d{1,15}$/.test(after)) {
    throw new ValidationError("must be a non-negative integer (the last seq you saw)", "after");
  }
  return Number(after);
}

function object(raw: unknown, allowed: readonly string[]): Body {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ValidationError("the body must be a JSON object (Content-Type: application/json)");
  }
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) throw new ValidationError(`unknown field; allowed: ${allowed.join(", ")}`, key);
  }
  return raw as Body;
}

function ref(body: Body): string {
  const value = body.ref;
  if (value === undefined) throw new ValidationError("is required: the invoice's ref (or invoice number)", "ref");
  if (typeof value !== "string" || !/^[A-Za-z0-9_.-]{1,100}$/.test(value)) {
    throw new ValidationError("must be an invoice ref or number (letters, digits, - _ .)", "ref");
  }
  return value;
}

function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`must be an integer from ${min} to ${max}`, field);
  }
  return value;
}
