import { createHash } from "node:crypto";

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * The key Electrum servers index a script by: sha256 of the script bytes, as hex in reversed byte
 * order (the same display convention as txids). Electrum never sees addresses, only these.
 */
export function scripthash(scriptPubKeyHex: string): string {
  // Buffer.from(_, "hex") silently stops at the first bad character: a typo would hash a truncated script.
  if (!HEX.test(scriptPubKeyHex)) throw new TypeError(`scriptPubKeyHex is not hex: ${scriptPubKeyHex}`);
  const digest = createHash("sha256").update(Buffer.from(scriptPubKeyHex, "hex")).digest();
  return digest.reverse().toString("hex");
}
