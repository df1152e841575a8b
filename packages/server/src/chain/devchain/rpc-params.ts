/**
 * Reading JSON-RPC parameters the way Core's RPCHelpMan does: positional or named, optional ones
 * may be null, wrong types answer -3 and bad values -8. Numbers arrive as `JsonNumber` (exact
 * text), so amounts never pass through a float.
 */

import { btcTextToSats, JsonNumber } from "../json-exact.js";
import { isHash } from "./hex.js";
import { DevChainError } from "./types.js";

export const RPC_MISC_ERROR = -1;
export const RPC_TYPE_ERROR = -3;
export const RPC_INVALID_PARAMETER = -8;
const MAX_MONEY_SATS = 21_000_000n * 100_000_000n;

/** Positional parameters of a call, named ones mapped onto `names` first. */
export function positional(params: unknown, names: readonly string[]): unknown[] {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) {
    if (params.length > names.length) {
      throw new DevChainError(RPC_MISC_ERROR, `too many parameters (at most ${names.length}: ${names.join(", ")})`);
    }
    return params;
  }
  if (typeof params !== "object" || params instanceof JsonNumber) {
    throw new DevChainError(-32600, "Params must be an array or object");
  }
  const out: unknown[] = [];
  for (const [key, value] of Object.entries(params)) {
    const index = names.indexOf(key);
    if (index < 0) throw new DevChainError(RPC_INVALID_PARAMETER, `Unknown named parameter ${key}`);
    out[index] = value;
  }
  return out;
}

function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof JsonNumber) return "number";
  if (Array.isArray(value)) return "array";
  return typeof value === "object" ? "object" : typeof value;
}

function typeError(name: string, expected: string, value: unknown): DevChainError {
  return new DevChainError(
    RPC_TYPE_ERROR,
    `JSON value of type ${typeName(value)} for field ${name} is not of expected type ${expected}`,
  );
}

function missing(value: unknown): boolean {
  return value === undefined || value === null;
}

function required(value: unknown, name: string): void {
  if (missing(value)) throw new DevChainError(RPC_MISC_ERROR, `Missing required parameter ${name}`);
}

export function intParam(value: unknown, name: string, fallback?: number): number {
  if (missing(value) && fallback !== undefined) return fallback;
  required(value, name);
  if (!(value instanceof JsonNumber) || !/^-?\d+$/.test(value.text)) throw typeError(name, "number", value);
  return value.toNumber();
}

export function numberParam(value: unknown, name: string): number | undefined {
  if (missing(value)) return undefined;
  if (!(value instanceof JsonNumber)) throw typeError(name, "number", value);
  return value.toNumber();
}

export function boolParam(value: unknown, name: string, fallback: boolean): boolean {
  if (missing(value)) return fallback;
  if (typeof value !== "boolean") throw typeError(name, "bool", value);
  return value;
}

export function stringParam(value: unknown, name: string, fallback?: string): string {
  if (missing(value) && fallback !== undefined) return fallback;
  required(value, name);
  if (typeof value !== "string") throw typeError(name, "string", value);
  return value;
}

/** Core's ParseHashV: 64 hex digits, lowercased. */
export function hashParam(value: unknown, name: string): string {
  const text = stringParam(value, name);
  if (text.length !== 64) {
    throw new DevChainError(RPC_INVALID_PARAMETER, `${name} must be of length 64 (not ${text.length}, for '${text}')`);
  }
  const lower = text.toLowerCase();
  if (!isHash(lower))
    throw new DevChainError(RPC_INVALID_PARAMETER, `${name} must be hexadecimal string (not '${text}')`);
  return lower;
}

/** Core's AmountFromValue: a BTC number or string, at most 8 decimals, within the money range. */
export function amountParam(value: unknown, name: string): bigint {
  required(value, name);
  const text = value instanceof JsonNumber ? value.text : typeof value === "string" ? value : undefined;
  if (text === undefined) throw new DevChainError(RPC_TYPE_ERROR, "Amount is not a number or string");
  const sats = btcTextToSats(text);
  if (sats === undefined) throw new DevChainError(RPC_TYPE_ERROR, "Invalid amount");
  if (sats < 0n || sats > MAX_MONEY_SATS) throw new DevChainError(RPC_TYPE_ERROR, "Amount out of range");
  return sats;
}

/** A verbosity given as a number or a boolean (true = 1), as getblock and getrawtransaction take it. */
export function verbosityParam(value: unknown, name: string, fallback: number): number {
  if (missing(value)) return fallback;
  if (typeof value === "boolean") return value ? 1 : 0;
  return intParam(value, name);
}
