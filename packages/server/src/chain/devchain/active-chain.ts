/**
 * The best chain as a stack of connected blocks, and the state connecting them builds: the UTXO
 * set, each block's undo record (the coins it spent), and indexes from txid and from script to
 * best-chain transactions. Knows nothing of the mempool or of blocks off the best chain.
 */
import type { Transaction } from "bitcoinjs-lib";
import { type Coin, type CoinView, coinsOf, outpointKey, UtxoSet } from "./coins.js";
import { idFromHash, toHex } from "./hex.js";
import { checkTransaction } from "./tx-validation.js";
import { type DevBlock, DevChainError } from "./types.js";

export interface TxLocation {
  block: DevBlock;
  index: number;
}

const RPC_VERIFY_ALREADY_IN_CHAIN = -27;

export class ActiveChain {
  readonly utxos = new UtxoSet();
  private readonly blocks: DevBlock[] = [];
  private readonly undo = new Map<string, Coin[][]>();
  private readonly txIndex = new Map<string, TxLocation>();
  private readonly scriptIndex = new Map<string, Set<string>>();

  tip(): DevBlock {
    return this.blocks[this.blocks.length - 1]!;
  }

  at(height: number): DevBlock | undefined {
    return this.blocks[height];
  }

  contains(block: DevBlock | undefined): boolean {
    return block !== undefined && this.blocks[block.height]?.hash === block.hash;
  }

  locate(txid: string): TxLocation | undefined {
    return this.txIndex.get(txid);
  }

  /** The coins a best-chain transaction spent, one per input (none for a coinbase). */
  spentBy(txid: string): Coin[] | undefined {
    const at = this.txIndex.get(txid);
    return at && this.undo.get(at.block.hash)?.[at.index];
  }

  /** Best-chain transactions paying to or spending from a script, in chain order. */
  history(scriptHex: string): Array<TxLocation & { txid: string }> {
    return [...(this.scriptIndex.get(scriptHex) ?? [])]
      .map((txid) => ({ txid, ...this.txIndex.get(txid)! }))
      .sort((a, b) => a.block.height - b.block.height || a.index - b.index);
  }

  /**
   * Checks the transactions of a block that would extend the tip, in order (each may spend the
   * ones before it); returns their total fee.
   */
  checkNextBlockTxs(txs: Transaction[], medianTimePast: number): bigint {
    const height = this.tip().height + 1;
    const created = new Map<string, Coin>();
    const spent = new Set<string>();
    const view: CoinView = {
      coin: (txid, vout) => {
        const key = outpointKey(txid, vout);
        return spent.has(key) ? undefined : (created.get(key) ?? this.utxos.coin(txid, vout));
      },
    };
    let fees = 0n;
    for (const tx of txs) {
      const txid = tx.getId();
      if (this.txIndex.has(txid)) {
        throw new DevChainError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
      }
      fees += checkTransaction(tx, view, { spendHeight: height, medianTimePast }).feeSats;
      for (const input of tx.ins) spent.add(outpointKey(idFromHash(input.hash), input.index));
      for (const coin of coinsOf(tx, txid, height)) created.set(outpointKey(txid, coin.vout), coin);
    }
    return fees;
  }

  /** Appends a block whose transactions are valid on the tip. */
  connect(block: DevBlock): void {
    const undo = block.block.transactions!.map((tx, index) => {
      const txid = block.txids[index]!;
      // The genesis coinbase is not in Core's UTXO set: it can never be spent.
      const spent = block.height === 0 ? [] : this.utxos.apply(tx, txid, block.height);
      this.txIndex.set(txid, { block, index });
      this.indexScripts(txid, tx, spent, true);
      return spent;
    });
    this.undo.set(block.hash, undo);
    this.blocks.push(block);
  }

  disconnectTip(): DevBlock {
    const block = this.blocks.pop()!;
    const undo = this.undo.get(block.hash)!;
    const txs = block.block.transactions!;
    for (let index = txs.length - 1; index >= 0; index--) {
      const txid = block.txids[index]!;
      this.utxos.revert(txs[index]!, txid, undo[index]!);
      this.txIndex.delete(txid);
      this.indexScripts(txid, txs[index]!, undo[index]!, false);
    }
    this.undo.delete(block.hash);
    return block;
  }

  private indexScripts(txid: string, tx: Transaction, spent: Coin[], add: boolean): void {
    const scripts = new Set([...tx.outs.map((o) => toHex(o.script)), ...spent.map((c) => c.scriptHex)]);
    for (const script of scripts) {
      let txids = this.scriptIndex.get(script);
      if (!txids) {
        txids = new Set();
        this.scriptIndex.set(script, txids);
      }
      if (add) txids.add(txid);
      else if (txids.delete(txid) && txids.size === 0) this.scriptIndex.delete(script);
    }
  }
}
