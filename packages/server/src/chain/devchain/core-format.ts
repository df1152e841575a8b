/**
 * Bitcoin Core's JSON shapes (v27): TxToUniv, blockheaderToJSON/blockToJSON and the mempool entry,
 * field for field and in Core's order, so a script written against devchain runs unchanged
 * against `bitcoind -regtest`. Amounts are `BtcAmount` (bigint satoshis), written exactly by
 * `stringifyJsonExact`.
 */
import type { Transaction } from "bitcoinjs-lib";
import { btc } from "../json-exact.js";
import type { DevChainImpl } from "./chain.js";
import type { Coin } from "./coins.js";
import { REGTEST_BLOCK_WORK, REGTEST_DIFFICULTY } from "./consensus.js";
import { idFromHash, toHex } from "./hex.js";
import { scriptAsm, scriptPubKeyInfo } from "./script-info.js";
import type { DevBlock } from "./types.js";

type Json = Record<string, unknown>;

export interface TxFormat {
  /** The coins spent (Core's undo data): adds `fee`. */
  spent?: Coin[];
  /** Adds `prevout` to each input (needs `spent`). */
  prevout?: boolean;
  hex?: boolean;
}

export function txToJson(chain: DevChainImpl, tx: Transaction, format: TxFormat = {}): Json {
  const coinbase = tx.isCoinbase();
  const spent = coinbase ? undefined : format.spent;
  const json: Json = {
    txid: tx.getId(),
    hash: idFromHash(tx.getHash(true)),
    version: tx.version | 0,
    size: tx.byteLength(),
    vsize: tx.virtualSize(),
    weight: tx.weight(),
    locktime: tx.locktime,
    vin: tx.ins.map((input, i) => {
      const vin: Json = coinbase
        ? { coinbase: toHex(input.script) }
        : {
            txid: idFromHash(input.hash),
            vout: input.index,
            scriptSig: { asm: scriptAsm(input.script, true), hex: toHex(input.script) },
          };
      if (input.witness.length > 0) vin.txinwitness = input.witness.map(toHex);
      const coin = spent?.[i];
      if (coin && format.prevout) {
        vin.prevout = {
          generated: coin.coinbase,
          height: coin.height,
          value: btc(coin.valueSats),
          scriptPubKey: scriptPubKeyInfo(coin.script, chain.network),
        };
      }
      vin.sequence = input.sequence;
      return vin;
    }),
    vout: tx.outs.map((out, n) => ({
      value: btc(out.value),
      n,
      scriptPubKey: scriptPubKeyInfo(out.script, chain.network),
    })),
  };
  if (spent) {
    const valueIn = spent.reduce((sum, c) => sum + c.valueSats, 0n);
    json.fee = btc(valueIn - tx.outs.reduce((sum, o) => sum + o.value, 0n));
  }
  if (format.hex) json.hex = tx.toHex();
  return json;
}

function chainworkHex(height: number): string {
  return (BigInt(height + 1) * REGTEST_BLOCK_WORK).toString(16).padStart(64, "0");
}

export function headerToJson(chain: DevChainImpl, block: DevBlock): Json {
  const b = block.block;
  const json: Json = {
    hash: block.hash,
    confirmations: chain.confirmations(block.hash),
    height: block.height,
    version: b.version,
    versionHex: (b.version >>> 0).toString(16).padStart(8, "0"),
    merkleroot: idFromHash(b.merkleRoot!),
    time: b.timestamp,
    mediantime: chain.medianTimePast(block.hash),
    nonce: b.nonce,
    bits: b.bits.toString(16).padStart(8, "0"),
    difficulty: REGTEST_DIFFICULTY,
    chainwork: chainworkHex(block.height),
    nTx: block.txids.length,
  };
  if (block.height > 0) json.previousblockhash = block.prevHash;
  const next = chain.isInBestChain(block.hash) ? chain.blockAtHeight(block.height + 1) : undefined;
  if (next) json.nextblockhash = next.hash;
  return json;
}

/** getblock at verbosity 1 (txids), 2 (transactions with fee) or 3 (and prevouts). */
export function blockToJson(chain: DevChainImpl, block: DevBlock, verbosity: 1 | 2 | 3): Json {
  const b = block.block;
  const txs = b.transactions!;
  const inBest = chain.isInBestChain(block.hash);
  return {
    ...headerToJson(chain, block),
    strippedsize: b.byteLength(false, false),
    size: b.byteLength(false, true),
    weight: b.weight(),
    tx:
      verbosity === 1
        ? block.txids
        : txs.map((tx, i) =>
            txToJson(chain, tx, {
              // Undo data exists only for connected blocks, as in Core (no fee for a stale block).
              spent: inBest ? chain.spentCoins(block.txids[i]!) : undefined,
              prevout: verbosity === 3,
              hex: true,
            }),
          ),
  };
}

/** The verbose entry of getrawmempool / getmempoolentry. */
export function mempoolEntryToJson(chain: DevChainImpl, txid: string): Json | undefined {
  const entry = chain.mempoolTx(txid);
  const info = chain.mempoolEntry(txid);
  if (!entry || !info) return undefined;
  const { ancestors, descendants, spentBy } = chain.mempoolRelatives(txid);
  const sum = (ids: string[], pick: (id: string) => bigint | number) =>
    ids.reduce((total, id) => total + BigInt(pick(id)), 0n);
  const fee = (id: string) => chain.mempoolTx(id)!.feeSats;
  const vsize = (id: string) => chain.mempoolTx(id)!.vsize;
  const withAncestors = [txid, ...ancestors];
  const withDescendants = [txid, ...descendants];
  return {
    vsize: entry.vsize,
    weight: entry.weight,
    time: entry.time,
    height: entry.height,
    descendantcount: withDescendants.length,
    descendantsize: Number(sum(withDescendants, vsize)),
    ancestorcount: withAncestors.length,
    ancestorsize: Number(sum(withAncestors, vsize)),
    wtxid: entry.wtxid,
    fees: {
      base: btc(entry.feeSats),
      modified: btc(entry.feeSats),
      ancestor: btc(sum(withAncestors, fee)),
      descendant: btc(sum(withDescendants, fee)),
    },
    depends: info.depends,
    spentby: spentBy,
    "bip125-replaceable": info.bip125Replaceable,
    unbroadcast: false,
  };
}
