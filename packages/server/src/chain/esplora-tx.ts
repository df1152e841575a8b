/**
 * Reading Esplora's JSON: the few fields of a transaction and a block status that EsploraSource
 * needs, checked, with amounts turned into bigint. Esplora prints `value` as a JSON integer; JSON.parse
 * reads every integer below 2^53 exactly, and no amount of bitcoin comes near that, so a value that is
 * not a safe non-negative integer means a broken or hostile server, not rounding to tolerate.
 */
import { ChainSourceError } from "./chain-source.js";

export interface EsploraTxOutput {
  scriptPubKeyHex: string;
  valueSats: bigint;
}

export interface EsploraTx {
  txid: string;
  /** null: in the mempool. */
  block: { height: number; hash: string } | null;
  outputs: EsploraTxOutput[];
}

export interface EsploraBlockStatus {
  inBestChain: boolean;
  height: number | null;
}

const HASH = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

export function isHash(value: unknown): value is string {
  return typeof value === "string" && HASH.test(value);
}

/** A `/txs`-style answer: an array of transactions. `where` names the request in errors. */
export function parseTxList(value: unknown, where: string): EsploraTx[] {
  if (!Array.isArray(value)) throw malformed(where, "is not an array of transactions");
  return value.map((tx, i) => parseTx(tx, `${where} [${i}]`));
}

export function parseTx(value: unknown, where: string): EsploraTx {
  if (!isRecord(value) || !isHash(value.txid)) throw malformed(where, "has no valid txid");
  if (!Array.isArray(value.vout)) throw malformed(where, "has no vout array");
  const outputs = value.vout.map((out: unknown, n): EsploraTxOutput => {
    if (!isRecord(out) || typeof out.scriptpubkey !== "string" || !HEX.test(out.scriptpubkey)) {
      throw malformed(where, `vout ${n} has no hex scriptpubkey`);
    }
    return { scriptPubKeyHex: out.scriptpubkey, valueSats: parseSats(out.value, `${where} vout ${n}`) };
  });
  return { txid: value.txid, block: parseTxStatus(value.status, where), outputs };
}

function parseTxStatus(status: unknown, where: string): EsploraTx["block"] {
  if (!isRecord(status) || typeof status.confirmed !== "boolean") throw malformed(where, "has no status");
  if (!status.confirmed) return null;
  if (!isHeight(status.block_height) || !isHash(status.block_hash)) {
    throw malformed(where, "is confirmed without a block height and hash");
  }
  return { height: status.block_height, hash: status.block_hash };
}

/** `/scripthash/:h/utxo` entries, as outputs of the transactions they belong to. */
export function parseUtxoList(
  value: unknown,
  where: string,
): { txid: string; vout: number; valueSats: bigint; block: EsploraTx["block"] }[] {
  if (!Array.isArray(value)) throw malformed(where, "is not an array of outputs");
  return value.map((utxo: unknown, i) => {
    if (!isRecord(utxo) || !isHash(utxo.txid) || !isHeight(utxo.vout)) throw malformed(where, `[${i}] has no outpoint`);
    const at = `${where} [${i}]`;
    return {
      txid: utxo.txid,
      vout: utxo.vout,
      valueSats: parseSats(utxo.value, at),
      block: parseTxStatus(utxo.status, at),
    };
  });
}

export function parseBlockStatus(value: unknown, where: string): EsploraBlockStatus {
  if (!isRecord(value) || typeof value.in_best_chain !== "boolean") throw malformed(where, "is not a block status");
  if (!value.in_best_chain) return { inBestChain: false, height: null };
  if (!isHeight(value.height)) throw malformed(where, "is in the best chain without a height");
  return { inBestChain: true, height: value.height };
}

function parseSats(value: unknown, where: string): bigint {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw malformed(where, `has value ${JSON.stringify(value)}, not a whole number of sats`);
  }
  return BigInt(value);
}

function isHeight(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(where: string, problem: string): ChainSourceError {
  return new ChainSourceError(`esplora: ${where} ${problem}`);
}
