import { createHash, randomBytes } from "node:crypto";

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Unbiased random string over an alphabet (rejection sampling, never `bytes % n`). */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/** Invoice ref in the reference's shape, `A1B2C3D4-E5F6A7B8`: 64 random bits, unguessable. */
export function newInvoiceRef(): string {
  const hex = randomBytes(8).toString("hex").toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8)}`;
}

/** Store ids are base58 (no look-alike characters), like BTCPay's, so shop plugins accept them. */
export function newStoreId(): string {
  return randomString(BASE58, 22);
}

export interface GeneratedApiKey {
  /** The whole key, shown once. Only `[A-Za-z0-9_]`, which WordPress-based plugins keep intact. */
  key: string;
  /** Public, non-secret part shown in listings. */
  prefix: string;
  hash: string;
}

export function newApiKey(): GeneratedApiKey {
  const prefix = `btpay_${randomString(BASE62, 8)}`;
  const key = `${prefix}_${randomString(BASE62, 32)}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Cheap pre-check before a database lookup; a key of another shape can never be valid. */
export function looksLikeApiKey(value: string): boolean {
  return /^btpay_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}$/.test(value);
}
