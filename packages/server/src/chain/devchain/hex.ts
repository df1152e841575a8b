/** Hex helpers. Txids and block hashes are shown byte-reversed ("display order"), as Core does. */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Internal (little-endian) hash bytes of a display-order hash. */
export function hashFromId(id: string): Uint8Array {
  return fromHex(id).reverse();
}

/** Display-order id of internal hash bytes. */
export function idFromHash(hash: Uint8Array): string {
  return toHex(Uint8Array.from(hash).reverse());
}

export function isHash(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}

export const ZERO_HASH_ID = "0".repeat(64);
