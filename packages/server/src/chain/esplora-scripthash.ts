import { createHash } from "node:crypto";

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * The key Esplora's `/scripthash/:hash/...` endpoints take: sha256 of the script bytes as plain hex,
 * NOT byte-reversed. Electrum's scripthash (./scripthash.ts) is the same digest reversed; electrs
 * hex-decodes the REST path straight into its index key, and BDK's esplora client formats the digest
 * forward. A reversed hash is not an error there, it just finds no history, so the two stay separate.
 */
export function esploraScripthash(scriptPubKeyHex: string): string {
  // Buffer.from(_, "hex") silently stops at the first bad character: a typo would hash a truncated script.
  if (!HEX.test(scriptPubKeyHex)) throw new TypeError(`scriptPubKeyHex is not hex: ${scriptPubKeyHex}`);
  return createHash("sha256").update(Buffer.from(scriptPubKeyHex, "hex")).digest("hex");
}
