/**
 * Reading Bitcoin Core's verbose JSON (`getblock <hash> 2`, `getrawtransaction <txid> true`,
 * `getblockheader`) as parsed by `parseJsonExact`: every number is a `JsonNumber` holding its literal
 * text, and output values go straight from that text to satoshis. A shape we do not expect is a
 * broken or incompatible backend, so it is a ChainSourceError naming the field.
 */
import { MAX_SATS } from "../wallet/bip21.js";
import { ChainSourceError } from "./chain-source.js";
import { btcTextToSats, JsonNumber } from "./json-exact.js";

type JsonObject = Record<string, unknown>;

/** One output of a transaction, whatever it pays. */
export interface TxOut {
  vout: number;
  scriptPubKeyHex: string;
  valueSats: bigint;
}

export interface BlockHeaderInfo {
  hash: string;
  height: number;
  /** Header time, unix seconds. */
  time: number;
  /** -1 when the block is no longer on the best chain. */
  confirmations: number;
  /** Absent for genesis. */
  previousblockhash?: string;
}

export interface VerboseBlock extends BlockHeaderInfo {
  /** Verbose transactions, read lazily with `txOutputs` so a big block is walked once. */
  tx: readonly unknown[];
}

export function readHeader(json: unknown, what: string): BlockHeaderInfo {
  const o = object(json, what);
  const header: BlockHeaderInfo = {
    hash: hash(o.hash, `${what}.hash`),
    height: integer(o.height, `${what}.height`),
    time: integer(o.time, `${what}.time`),
    confirmations: integer(o.confirmations, `${what}.confirmations`),
  };
  if (o.previousblockhash !== undefined)
    header.previousblockhash = hash(o.previousblockhash, `${what}.previousblockhash`);
  return header;
}

export function readBlock(json: unknown, what: string): VerboseBlock {
  const tx = object(json, what).tx;
  if (!Array.isArray(tx)) throw bad(`${what}.tx`, "is not an array (getblock verbosity 2 expected)");
  return { ...readHeader(json, what), tx };
}

export function txid(tx: unknown, what: string): string {
  return hash(object(tx, what).txid, `${what}.txid`);
}

/** Set (a block hash) when getrawtransaction found the tx in a block (txindex) rather than the mempool. */
export function txBlockHash(tx: unknown, what: string): string | undefined {
  const value = object(tx, what).blockhash;
  return value === undefined ? undefined : hash(value, `${what}.blockhash`);
}

export function txOutputs(tx: unknown, what: string): TxOut[] {
  const vouts = object(tx, what).vout;
  if (!Array.isArray(vouts)) throw bad(`${what}.vout`, "is not an array");
  return vouts.map((v, i) => {
    const o = object(v, `${what}.vout[${i}]`);
    const spk = object(o.scriptPubKey, `${what}.vout[${i}].scriptPubKey`);
    const valueSats = btcAmountSats(o.value, `${what}.vout[${i}].value`);
    return {
      vout: integer(o.n, `${what}.vout[${i}].n`),
      scriptPubKeyHex: hexOrEmpty(spk.hex, `${what}.vout[${i}].scriptPubKey.hex`),
      valueSats,
    };
  });
}

/** A BTC amount (a JSON number of BTC) as satoshis: exact, 0..21 million BTC, whole satoshis. */
export function btcAmountSats(value: unknown, what: string): bigint {
  const sats = value instanceof JsonNumber ? btcTextToSats(value.text) : undefined;
  if (sats === undefined) throw bad(what, "is not a BTC amount in whole satoshis");
  if (sats < 0n || sats > MAX_SATS) throw bad(what, "is outside 0..21,000,000 BTC");
  return sats;
}

/** getrawmempool's answer: txids. */
export function hashList(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw bad(what, "is not an array");
  return value.map((v, i) => hash(v, `${what}[${i}]`));
}

function object(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof JsonNumber) {
    throw bad(what, "is not an object");
  }
  return value as JsonObject;
}

export function integer(value: unknown, what: string): number {
  if (!(value instanceof JsonNumber) || !/^-?[0-9]{1,15}$/.test(value.text)) throw bad(what, "is not an integer");
  return value.toNumber();
}

/** Hashes and txids: lowercase hex, as Core writes them. */
export function hash(value: unknown, what: string): string {
  if (typeof value !== "string" || !/^[0-9a-f]{64}$/.test(value)) throw bad(what, "is not a 32-byte hex hash");
  return value;
}

/** An output script: hex, possibly empty (a zero-length script is legal), lowercased as the port wants. */
function hexOrEmpty(value: unknown, what: string): string {
  if (typeof value !== "string" || !/^(?:[0-9a-fA-F]{2})*$/.test(value)) throw bad(what, "is not hex");
  return value.toLowerCase();
}

function bad(what: string, problem: string): ChainSourceError {
  return new ChainSourceError(`bitcoind sent an unexpected answer: ${what} ${problem}`);
}
