/**
 * What the Greenfield tests share: a call as the BTCPay PHP client makes it (`Authorization: token`,
 * JSON both ways, no redirects followed) and a check of a JSON value's exact types, field by field:
 * shop plugins have strictly typed getters, so a number where a string belongs breaks them.
 */

export const WOOCOMMERCE_PERMISSIONS = [
  "btcpay.store.canviewinvoices",
  "btcpay.store.cancreateinvoice",
  "btcpay.store.canviewstoresettings",
  "btcpay.store.canmodifyinvoices",
  "btcpay.store.cancreatenonapprovedpullpayments",
  "btcpay.store.webhooks.canmodifywebhooks",
];

export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are checked field by field in the tests
  body: any;
  headers: Headers;
}

export async function greenfield(
  apiUrl: string,
  key: string | null,
  method: string,
  path: string,
  body?: unknown,
  scheme = "token",
): Promise<Answer> {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      accept: "application/json",
      "content-type": "application/json",
      ...(key === null ? {} : { authorization: `${scheme} ${key}` }),
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export type JsonType = "string" | "number" | "boolean" | "null" | "array" | "object";

export function jsonType(v: unknown): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v as JsonType;
}

/** Every field of `obj` with its JSON type: compared with `toEqual`, it pins the field set and the types. */
export function types(obj: Record<string, unknown>): Record<string, JsonType> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, jsonType(v)]));
}

/** A BTC amount as Greenfield prints it: a string with exactly 8 decimals. */
export const BTC_AMOUNT = /^[0-9]+\.[0-9]{8}$/;
