/**
 * Unconfirmed transactions: entries in arrival order plus an index of which mempool transaction
 * spends which outpoint, for chained spends, conflicts (RBF) and ancestor-first block assembly.
 */
import type { Transaction } from "bitcoinjs-lib";
import { type Coin, coinsOf, outpointKey } from "./coins.js";
import { idFromHash } from "./hex.js";

export interface MempoolTx {
  txid: string;
  wtxid: string;
  tx: Transaction;
  feeSats: bigint;
  vsize: number;
  weight: number;
  /** Unix seconds it entered the mempool. */
  time: number;
  /** Tip height when it entered. */
  height: number;
  /** The coins it spends, one per input. */
  spent: Coin[];
}

export class Mempool {
  private readonly entries = new Map<string, MempoolTx>();
  private readonly spenders = new Map<string, string>();

  get size(): number {
    return this.entries.size;
  }

  get(txid: string): MempoolTx | undefined {
    return this.entries.get(txid);
  }

  /** Entries in arrival order. */
  values(): MempoolTx[] {
    return [...this.entries.values()];
  }

  /** The mempool transaction spending this outpoint, if any. */
  spender(txid: string, vout: number): string | undefined {
    return this.spenders.get(outpointKey(txid, vout));
  }

  /** An output of a mempool transaction (spent or not). */
  output(txid: string, vout: number): Coin | undefined {
    const entry = this.entries.get(txid);
    if (!entry || vout >= entry.tx.outs.length) return undefined;
    return coinsOf(entry.tx, txid, 0)[vout];
  }

  add(entry: MempoolTx): void {
    this.entries.set(entry.txid, entry);
    for (const input of entry.tx.ins) this.spenders.set(outpointKey(idFromHash(input.hash), input.index), entry.txid);
  }

  /** Removes one entry (not its descendants). */
  delete(txid: string): MempoolTx | undefined {
    const entry = this.entries.get(txid);
    if (!entry) return undefined;
    this.entries.delete(txid);
    for (const input of entry.tx.ins) {
      const key = outpointKey(idFromHash(input.hash), input.index);
      if (this.spenders.get(key) === txid) this.spenders.delete(key);
    }
    return entry;
  }

  /** Removes the entry and everything that spends from it; returns the removed txids (the entry first). */
  deleteWithDescendants(txid: string): string[] {
    if (!this.entries.has(txid)) return [];
    const removed = [txid, ...this.descendants(txid)];
    for (const id of removed) this.delete(id);
    return removed;
  }

  clear(): void {
    this.entries.clear();
    this.spenders.clear();
  }

  /** Txids of mempool transactions this one spends from. */
  parents(txid: string): string[] {
    const entry = this.entries.get(txid);
    if (!entry) return [];
    const ids = new Set(entry.tx.ins.map((input) => idFromHash(input.hash)));
    return [...ids].filter((id) => this.entries.has(id));
  }

  children(txid: string): string[] {
    const entry = this.entries.get(txid);
    if (!entry) return [];
    const ids = new Set<string>();
    entry.tx.outs.forEach((_, vout) => {
      const child = this.spenders.get(outpointKey(txid, vout));
      if (child) ids.add(child);
    });
    return [...ids];
  }

  /** All in-mempool descendants (not the transaction itself). */
  descendants(txid: string): string[] {
    return this.closure(txid, (id) => this.children(id));
  }

  /** All in-mempool ancestors (not the transaction itself). */
  ancestors(txid: string): string[] {
    return this.closure(txid, (id) => this.parents(id));
  }

  private closure(start: string, next: (txid: string) => string[]): string[] {
    const seen = new Set<string>();
    const queue = next(start);
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...next(id));
    }
    return [...seen];
  }

  /** The given entries (default: all) with every parent before its children, else arrival order. */
  sorted(txids: Iterable<string> = this.entries.keys()): MempoolTx[] {
    const wanted = new Set(txids);
    const done = new Set<string>();
    const out: MempoolTx[] = [];
    const visit = (txid: string): void => {
      if (done.has(txid) || !wanted.has(txid)) return;
      done.add(txid);
      for (const parent of this.parents(txid)) visit(parent);
      out.push(this.entries.get(txid)!);
    };
    for (const txid of this.entries.keys()) visit(txid);
    return out;
  }
}
