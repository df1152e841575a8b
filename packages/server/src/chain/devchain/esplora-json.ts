/**
 * The JSON bodies of the Esplora REST API (electrs `src/rest.rs`, as blockstream.info and
 * mempool.space serve them), built from devchain objects. Field names, which fields are left out
 * rather than null, and the script `asm` spelling (rust-bitcoin's: `OP_0 OP_PUSHBYTES_20 <hex>`,
 * `OP_PUSHNUM_1`) follow electrs, so a client written against the real thing reads these unchanged.
 */
import { address, type Network, opcodes, script, type TxOutput } from "bitcoinjs-lib";
import type { DevBlock, DevChain, DevTx, DevUtxo } from "./types.js";

/** Esplora prints amounts as JSON integers; every real amount is far below 2^53, but never round silently. */
export function satsJson(value: bigint): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${value} sats cannot be written as an exact JSON number`);
  }
  return Number(value);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Hashes inside Bitcoin structures are little-endian; APIs print them reversed (display order). */
function reversedHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).reverse().toString("hex");
}

export function blockJson(chain: DevChain, b: DevBlock) {
  const { block } = b;
  return {
    id: b.hash,
    height: b.height,
    version: block.version >>> 0, // electrs prints the header's int32 as u32
    timestamp: block.timestamp,
    tx_count: b.txids.length,
    size: block.byteLength(),
    weight: block.weight(),
    merkle_root: reversedHex(block.merkleRoot!),
    previousblockhash: b.height === 0 ? null : b.prevHash,
    mediantime: medianTimePast(chain, b),
    nonce: block.nonce,
    bits: block.bits,
    difficulty: difficulty(block.bits),
  };
}

/** Median of the block's and its 10 ancestors' times, as Core's `mediantime`. */
function medianTimePast(chain: DevChain, b: DevBlock): number {
  const times: number[] = [];
  for (let at: DevBlock | undefined = b; at !== undefined && times.length < 11; at = chain.blockByHash(at.prevHash)) {
    times.push(at.time);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** Core's GetDifficulty: the mainnet minimum target (0x1d00ffff) over the block's target. */
function difficulty(bits: number): number {
  const exponent = bits >>> 24;
  const mantissa = bits & 0xffffff;
  return (0xffff / mantissa) * 256 ** (0x1d - exponent);
}

/** `{in_best_chain, height, next_best}`; electrs answers the same "not in best chain" for unknown hashes. */
export function blockStatusJson(chain: DevChain, hash: string) {
  const b = chain.isInBestChain(hash) ? chain.blockByHash(hash) : undefined;
  if (b === undefined) return { in_best_chain: false, height: null, next_best: null };
  return { in_best_chain: true, height: b.height, next_best: chain.blockAtHeight(b.height + 1)?.hash ?? null };
}

export function txStatusJson(block: DevTx["block"] | undefined) {
  if (!block) return { confirmed: false };
  return { confirmed: true, block_height: block.height, block_hash: block.hash, block_time: block.time };
}

export function txJson(chain: DevChain, dt: DevTx) {
  const { tx } = dt;
  const coinbase = tx.isCoinbase();
  let inputSats = 0n;
  let prevoutsKnown = true;
  const vin = tx.ins.map((input) => {
    const txid = reversedHex(input.hash);
    const prev = coinbase ? undefined : chain.getTx(txid)?.tx.outs[input.index];
    if (prev) inputSats += prev.value;
    else prevoutsKnown = false;
    return {
      txid,
      vout: input.index,
      prevout: prev ? outputJson(prev, chain.network) : null,
      scriptsig: hex(input.script),
      scriptsig_asm: scriptAsm(input.script),
      // electrs leaves `witness` out, rather than [], for an input without one.
      ...(input.witness.length > 0 ? { witness: input.witness.map(hex) } : {}),
      is_coinbase: coinbase,
      sequence: input.sequence,
      ...(prev ? innerScripts(input.script, input.witness, prev.script) : {}),
    };
  });
  const outputSats = tx.outs.reduce((sum, out) => sum + out.value, 0n);
  return {
    txid: dt.txid,
    version: tx.version >>> 0,
    locktime: tx.locktime,
    vin,
    vout: tx.outs.map((out) => outputJson(out, chain.network)),
    size: tx.byteLength(),
    weight: tx.weight(),
    fee: coinbase || !prevoutsKnown ? 0 : satsJson(inputSats - outputSats),
    status: txStatusJson(dt.block),
  };
}

export function utxoJson(chain: DevChain, utxo: DevUtxo) {
  const block = utxo.height > 0 ? chain.getTx(utxo.txid)?.block : null;
  return { txid: utxo.txid, vout: utxo.vout, status: txStatusJson(block), value: satsJson(utxo.valueSats) };
}

function outputJson(out: TxOutput, network: Network) {
  let scriptAddress: string | undefined;
  try {
    scriptAddress = address.fromOutputScript(out.script, network);
  } catch {
    // Not an address (OP_RETURN, bare multisig, p2pk, ...): electrs leaves the field out.
  }
  return {
    scriptpubkey: hex(out.script),
    scriptpubkey_asm: scriptAsm(out.script),
    scriptpubkey_type: scriptType(out.script),
    ...(scriptAddress === undefined ? {} : { scriptpubkey_address: scriptAddress }),
    value: satsJson(out.value),
  };
}

/** electrs' classification, in its order (rest.rs `TxOutValue::new`). */
function scriptType(s: Uint8Array): string {
  const n = s.length;
  if (n === 0) return "empty";
  if (s[0] === 0x6a) return "op_return";
  if ((n === 35 && s[0] === 33 && s[34] === 0xac) || (n === 67 && s[0] === 65 && s[66] === 0xac)) return "p2pk";
  if (n === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 20 && s[23] === 0x88 && s[24] === 0xac) return "p2pkh";
  if (n === 23 && s[0] === 0xa9 && s[1] === 20 && s[22] === 0x87) return "p2sh";
  if (n === 22 && s[0] === 0 && s[1] === 20) return "v0_p2wpkh";
  if (n === 34 && s[0] === 0 && s[1] === 32) return "v0_p2wsh";
  if (n === 34 && s[0] === 0x51 && s[1] === 32) return "v1_p2tr";
  const m = s[0]!;
  const total = s[n - 2]!;
  if (n >= 37 && s[n - 1] === 0xae && total >= 0x51 && total <= 0x5f && m >= 0x51 && m <= total) return "multisig";
  return "unknown";
}

/** electrs' `inner_redeemscript_asm` (P2SH) and `inner_witnessscript_asm` (P2WSH, also nested in P2SH). */
function innerScripts(scriptSig: Uint8Array, witness: Uint8Array[], prevScript: Uint8Array) {
  const inner: { inner_redeemscript_asm?: string; inner_witnessscript_asm?: string } = {};
  let spent = prevScript;
  if (scriptType(prevScript) === "p2sh") {
    const last = script.decompile(scriptSig)?.at(-1);
    if (!(last instanceof Uint8Array)) return inner;
    inner.inner_redeemscript_asm = scriptAsm(last);
    spent = last;
  }
  const witnessScript = witness.at(-1);
  if (scriptType(spent) === "v0_p2wsh" && witnessScript) inner.inner_witnessscript_asm = scriptAsm(witnessScript);
  return inner;
}

/** Opcode names where rust-bitcoin's differ from bitcoinjs-lib's (the rest are the same). */
function opName(op: number): string {
  if (op === 0x4f) return "OP_PUSHNUM_NEG1";
  if (op >= 0x51 && op <= 0x60) return `OP_PUSHNUM_${op - 0x50}`;
  if (op === 0xb1) return "OP_CLTV";
  if (op === 0xb2) return "OP_CSV";
  if (op > 0xba && op < 0xff) return `OP_RETURN_${op}`;
  return (opcodes as unknown as Record<number, string>)[op] ?? `OP_RETURN_${op}`;
}

/** rust-bitcoin's `Script::asm`: pushes print as `OP_PUSHBYTES_<n> <hex>` / `OP_PUSHDATA1 <hex>`. */
export function scriptAsm(s: Uint8Array): string {
  const parts: string[] = [];
  let i = 0;
  while (i < s.length) {
    const op = s[i++]!;
    let size = 0;
    if (op >= 1 && op <= 75) size = op;
    else if (op >= 0x4c && op <= 0x4e) {
      const width = op === 0x4c ? 1 : op === 0x4d ? 2 : 4;
      if (i + width > s.length) {
        parts.push(`${opName(op)} <unexpected end>`);
        break;
      }
      for (let k = width - 1; k >= 0; k--) size = size * 256 + s[i + k]!;
      i += width;
    }
    const name = op >= 1 && op <= 75 ? `OP_PUSHBYTES_${op}` : opName(op);
    if (size === 0) {
      parts.push(name);
      continue;
    }
    if (i + size > s.length) {
      parts.push(`${name} <push past end>`);
      break;
    }
    parts.push(`${name} ${hex(s.subarray(i, i + size))}`);
    i += size;
  }
  return parts.join(" ");
}
