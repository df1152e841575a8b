/**
 * What Bitcoin Core says about a script in its RPC answers: `asm` (ScriptToAsmStr), `type`, the
 * inferred descriptor `desc` with checksum, and `address` when the script has one.
 */
import { checksum } from "@bitcoinerlab/descriptors";
import { address, type Network, opcodes, script } from "bitcoinjs-lib";
import { toHex } from "./hex.js";

export interface ScriptPubKeyInfo {
  asm: string;
  desc: string;
  hex: string;
  address?: string;
  type: string;
}

const OP_NAMES = new Map<number, string>();
for (const [name, code] of Object.entries(opcodes)) {
  // The enum maps both ways; Core calls 177/178 by their soft-fork names, OP_FALSE/OP_TRUE are aliases.
  if (typeof code !== "number" || ["OP_FALSE", "OP_TRUE", "OP_NOP2", "OP_NOP3"].includes(name)) continue;
  if (!OP_NAMES.has(code)) OP_NAMES.set(code, name);
}

const SIGHASH_NAMES: Record<number, string> = {
  1: "ALL",
  2: "NONE",
  3: "SINGLE",
  129: "ALL|ANYONECANPAY",
  130: "NONE|ANYONECANPAY",
  131: "SINGLE|ANYONECANPAY",
};

/** Core's ScriptToAsmStr; `sighashDecode` shows signatures as `<der>[ALL]` (used for scriptSig). */
export function scriptAsm(bytes: Uint8Array, sighashDecode = false): string {
  const chunks = script.decompile(bytes);
  if (!chunks) return "[error]";
  return chunks
    .map((chunk) => {
      if (typeof chunk === "number") return opName(chunk);
      if (chunk.length <= 4) return scriptNumber(chunk).toString();
      if (sighashDecode && script.isCanonicalScriptSignature(chunk)) {
        const name = SIGHASH_NAMES[chunk[chunk.length - 1]!];
        if (name) return `${toHex(chunk.subarray(0, -1))}[${name}]`;
      }
      return toHex(chunk);
    })
    .join(" ");
}

function opName(code: number): string {
  if (code === opcodes.OP_0) return "0";
  if (code === opcodes.OP_1NEGATE) return "-1";
  if (code >= opcodes.OP_1 && code <= opcodes.OP_16) return String(code - opcodes.OP_1 + 1);
  return OP_NAMES.get(code) ?? "OP_UNKNOWN";
}

/** CScriptNum of up to 4 bytes, little-endian sign-magnitude (not required to be minimal here). */
function scriptNumber(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  let value = 0;
  for (let i = 0; i < bytes.length; i++) value += bytes[i]! * 2 ** (8 * i);
  const top = bytes[bytes.length - 1]!;
  if (top & 0x80) return -(value - 0x80 * 2 ** (8 * (bytes.length - 1)));
  return value;
}

export function scriptType(s: Uint8Array): string {
  const n = s.length;
  if (n === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac)
    return "pubkeyhash";
  if (n === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) return "scripthash";
  if ((n === 35 && s[0] === 33) || (n === 67 && s[0] === 65)) return s[n - 1] === 0xac ? "pubkey" : "nonstandard";
  if (n > 0 && s[0] === 0x6a) return "nulldata";
  if (n === 22 && s[0] === 0x00 && s[1] === 20) return "witness_v0_keyhash";
  if (n === 34 && s[0] === 0x00 && s[1] === 32) return "witness_v0_scripthash";
  if (n === 34 && s[0] === 0x51 && s[1] === 32) return "witness_v1_taproot";
  const isWitness = n >= 4 && n <= 42 && (s[0] === 0 || (s[0]! >= 0x51 && s[0]! <= 0x60)) && s[1] === n - 2;
  if (isWitness) return "witness_unknown";
  if (isMultisig(s)) return "multisig";
  return "nonstandard";
}

function isMultisig(s: Uint8Array): boolean {
  const chunks = script.decompile(s);
  if (!chunks || chunks.length < 4 || chunks[chunks.length - 1] !== opcodes.OP_CHECKMULTISIG) return false;
  const keys = chunks.slice(1, -2);
  return keys.every((k) => typeof k !== "number" && (k.length === 33 || k.length === 65));
}

export function scriptPubKeyInfo(s: Uint8Array, network: Network): ScriptPubKeyInfo {
  const type = scriptType(s);
  const hex = toHex(s);
  let addr: string | undefined;
  try {
    addr =
      type === "pubkey" || type === "nulldata" || type === "multisig"
        ? undefined
        : address.fromOutputScript(s, network);
  } catch {
    addr = undefined;
  }
  let desc: string;
  if (type === "pubkey") desc = `pk(${toHex(s.subarray(1, -1))})`;
  else if (type === "witness_v1_taproot") desc = `rawtr(${toHex(s.subarray(2))})`;
  else if (addr) desc = `addr(${addr})`;
  else desc = `raw(${hex})`;
  return { asm: scriptAsm(s), desc: `${desc}#${checksum(desc)}`, hex, ...(addr ? { address: addr } : {}), type };
}
