/**
 * SLIP-132 extended key versions, and the watch-only guard against private keys.
 *
 * Wallets export an account key with a 4-byte version that encodes both the network family and the
 * script type (`zpub` = mainnet native segwit). bip32 and descriptors only know the BIP-32 versions
 * (`xpub`/`tpub`), so we swap the version back and remember the script type it implied.
 * Source: https://github.com/satoshilabs/slips/blob/master/slip-0132.md
 *
 * Nothing here ever puts key text into an error message: a string that failed to parse may still be
 * someone's private key with a typo in it.
 */
import { crypto } from "bitcoinjs-lib";
import { ValidationError } from "../domain/errors.js";
import { type BitcoinNetwork, keyFamily } from "./network.js";

export type ScriptType = "p2pkh" | "p2sh-p2wpkh" | "p2wpkh" | "p2tr";

interface KeyVersion {
  family: "mainnet" | "testnet";
  isPrivate: boolean;
  /** null for the multisig (`Ypub`, `Zpub`, ...) versions, which btpay does not support. */
  scriptType: ScriptType | null;
}

const v = (family: KeyVersion["family"], isPrivate: boolean, scriptType: ScriptType | null): KeyVersion => ({
  family,
  isPrivate,
  scriptType,
});

/** Every SLIP-132 version we recognise, public and private, keyed by the 4-byte version. */
const VERSIONS = new Map<number, KeyVersion>([
  [0x0488b21e, v("mainnet", false, "p2pkh")], // xpub
  [0x0488ade4, v("mainnet", true, "p2pkh")], // xprv
  [0x049d7cb2, v("mainnet", false, "p2sh-p2wpkh")], // ypub
  [0x049d7878, v("mainnet", true, "p2sh-p2wpkh")], // yprv
  [0x04b24746, v("mainnet", false, "p2wpkh")], // zpub
  [0x04b2430c, v("mainnet", true, "p2wpkh")], // zprv
  [0x0295b43f, v("mainnet", false, null)], // Ypub
  [0x0295b005, v("mainnet", true, null)], // Yprv
  [0x02aa7ed3, v("mainnet", false, null)], // Zpub
  [0x02aa7a99, v("mainnet", true, null)], // Zprv
  [0x043587cf, v("testnet", false, "p2pkh")], // tpub
  [0x04358394, v("testnet", true, "p2pkh")], // tprv
  [0x044a5262, v("testnet", false, "p2sh-p2wpkh")], // upub
  [0x044a4e28, v("testnet", true, "p2sh-p2wpkh")], // uprv
  [0x045f1cf6, v("testnet", false, "p2wpkh")], // vpub
  [0x045f18bc, v("testnet", true, "p2wpkh")], // vprv
  [0x024289ef, v("testnet", false, null)], // Upub
  [0x024285b5, v("testnet", true, null)], // Uprv
  [0x02575483, v("testnet", false, null)], // Vpub
  [0x02575048, v("testnet", true, null)], // Vprv
]);

/** The BIP-32 public versions descriptors and bip32 understand. */
const STANDARD_PUBLIC = { mainnet: 0x0488b21e, testnet: 0x043587cf } as const;

/** Readable prefixes of the private versions: refused even when the checksum is wrong (a typo). */
const PRIVATE_PREFIX = /^[xyztuvYZUV]prv/;
/** Base58 runs long enough to be a key (WIF is 51-52 characters, extended keys 111-112). */
const BASE58_RUN = /[1-9A-HJ-NP-Za-km-z]{50,}/g;

export const PRIVATE_KEY_REFUSED =
  "contains a private key; btpay is watch-only and never accepts one: give the extended public key " +
  "(xpub, ypub, zpub, tpub, upub or vpub) instead";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const DIGIT = new Map([...ALPHABET].map((c, i) => [c, i]));

function hash256Prefix(bytes: Uint8Array): Uint8Array {
  return crypto.hash256(bytes).subarray(0, 4);
}

/** Payload of a base58check string, or null when it is not one (bad character or checksum). */
export function base58CheckDecode(text: string): Uint8Array | null {
  const out: number[] = [];
  for (const ch of text) {
    let carry = DIGIT.get(ch);
    if (carry === undefined) return null;
    for (let i = 0; i < out.length; i++) {
      carry += (out[i] ?? 0) * 58;
      out[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) out.push(carry & 0xff);
  }
  for (let i = 0; i < text.length && text[i] === "1"; i++) out.push(0);
  const bytes = Uint8Array.from(out.reverse());
  if (bytes.length < 5) return null;
  const payload = bytes.subarray(0, -4);
  const check = hash256Prefix(payload);
  return check.every((b, i) => b === bytes[bytes.length - 4 + i]) ? payload : null;
}

export function base58CheckEncode(payload: Uint8Array): string {
  const bytes = new Uint8Array(payload.length + 4);
  bytes.set(payload);
  bytes.set(hash256Prefix(payload), payload.length);
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] ?? 0) << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    for (; carry > 0; carry = Math.floor(carry / 58)) digits.push(carry % 58);
  }
  let text = "";
  for (let i = 0; i < bytes.length && bytes[i] === 0; i++) text += "1";
  for (let i = digits.length - 1; i >= 0; i--) text += ALPHABET[digits[i] ?? 0];
  return text;
}

const readVersion = (payload: Uint8Array): number =>
  (((payload[0] ?? 0) << 24) | ((payload[1] ?? 0) << 16) | ((payload[2] ?? 0) << 8) | (payload[3] ?? 0)) >>> 0;

/** WIF: version 0x80 (mainnet) or 0xef (test networks), 32 key bytes, optional 0x01 compression flag. */
function isWif(payload: Uint8Array): boolean {
  const ok = payload.length === 33 || (payload.length === 34 && payload[33] === 1);
  return ok && (payload[0] === 0x80 || payload[0] === 0xef);
}

/**
 * True when `text` holds anything that looks like private key material: an extended private key of
 * any SLIP-132 version (even with a broken checksum), or a WIF key. Runs before any other parsing
 * so that no later error can quote one back.
 */
export function containsPrivateKey(text: string): boolean {
  for (const [run] of text.matchAll(BASE58_RUN)) {
    if (PRIVATE_PREFIX.test(run)) return true;
    // A WIF with a typo has no valid checksum but the tell-tale length and first character.
    // (A run of hex digits is a public key or a hash, never a WIF.)
    const wifShaped = (run.length === 51 && /^[59]/.test(run)) || (run.length === 52 && /^[KLc]/.test(run));
    if (wifShaped && !/^[0-9a-fA-F]+$/.test(run)) return true;
    const payload = base58CheckDecode(run);
    if (!payload) continue;
    if (payload.length === 78 && VERSIONS.get(readVersion(payload))?.isPrivate) return true;
    if (isWif(payload)) return true;
  }
  return false;
}

export interface ExtendedPublicKey {
  /** The same key with the BIP-32 version (`xpub`/`tpub`) that bip32 and descriptors expect. */
  standard: string;
  /** Script type the SLIP-132 version implies (`xpub`/`tpub` imply P2PKH). */
  scriptType: ScriptType;
}

const FAMILY_NAMES = { mainnet: "mainnet", testnet: "testnet, signet or regtest" } as const;

/**
 * Reads an extended public key of any single-signature SLIP-132 version and checks it belongs to
 * `network`. Throws ValidationError (on `field`) that never contains the key.
 */
export function parseExtendedPublicKey(text: string, network: BitcoinNetwork, field: string): ExtendedPublicKey {
  if (containsPrivateKey(text)) throw new ValidationError(PRIVATE_KEY_REFUSED, field);
  const payload = base58CheckDecode(text);
  const version = payload?.length === 78 ? VERSIONS.get(readVersion(payload)) : undefined;
  if (!payload || !version) {
    throw new ValidationError(
      "is not a valid extended public key (xpub, ypub, zpub, tpub, upub or vpub); check it was copied whole",
      field,
    );
  }
  if (version.isPrivate) throw new ValidationError(PRIVATE_KEY_REFUSED, field);
  if (version.scriptType === null) {
    throw new ValidationError("multisig extended keys (Ypub, Zpub, Upub, Vpub) are not supported", field);
  }
  const expected = keyFamily(network);
  if (version.family !== expected) {
    throw new ValidationError(`this key is for ${FAMILY_NAMES[version.family]} but btpay runs on ${network}`, field);
  }
  const standard = Uint8Array.from(payload);
  new DataView(standard.buffer).setUint32(0, STANDARD_PUBLIC[expected]);
  return { standard: base58CheckEncode(standard), scriptType: version.scriptType };
}
