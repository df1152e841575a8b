/**
 * The UTXO set: unspent outputs of the best chain keyed by outpoint, with the undo records that let
 * a block be disconnected again (the spent coins, in spending order).
 */
import type { Transaction } from "bitcoinjs-lib";
import { idFromHash, toHex } from "./hex.js";

export interface Coin {
  txid: string;
  vout: number;
  valueSats: bigint;
  script: Uint8Array;
  scriptHex: string;
  /** Height of the block that created it; 0 for a mempool output (never stored in the set). */
  height: number;
  coinbase: boolean;
}

/** Looks up the coin an input would spend, in whatever view (chain, chain + mempool, a block). */
export interface CoinView {
  coin(txid: string, vout: number): Coin | undefined;
}

export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

/** Outputs Core never puts in the UTXO set: OP_RETURN and oversized scripts can never be spent. */
export function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
}

export function coinsOf(tx: Transaction, txid: string, height: number): Coin[] {
  const coinbase = tx.isCoinbase();
  return tx.outs.map((out, vout) => ({
    txid,
    vout,
    valueSats: out.value,
    script: out.script,
    scriptHex: toHex(out.script),
    height,
    coinbase,
  }));
}

export class UtxoSet implements CoinView {
  private readonly coins = new Map<string, Coin>();

  coin(txid: string, vout: number): Coin | undefined {
    return this.coins.get(outpointKey(txid, vout));
  }

  values(): IterableIterator<Coin> {
    return this.coins.values();
  }

  /** Applies a transaction; returns the coins it spent (its undo record). */
  apply(tx: Transaction, txid: string, height: number): Coin[] {
    const spent: Coin[] = [];
    if (!tx.isCoinbase()) {
      for (const input of tx.ins) {
        const key = outpointKey(idFromHash(input.hash), input.index);
        const coin = this.coins.get(key);
        if (!coin) throw new Error(`coin ${key} missing while connecting ${txid}`);
        this.coins.delete(key);
        spent.push(coin);
      }
    }
    for (const coin of coinsOf(tx, txid, height)) {
      if (!isUnspendable(coin.script)) this.coins.set(outpointKey(txid, coin.vout), coin);
    }
    return spent;
  }

  /** Reverts `apply`: removes the transaction's outputs and restores what it spent. */
  revert(tx: Transaction, txid: string, spent: Coin[]): void {
    tx.outs.forEach((_, vout) => {
      this.coins.delete(outpointKey(txid, vout));
    });
    for (const coin of spent) this.coins.set(outpointKey(coin.txid, coin.vout), coin);
  }
}
