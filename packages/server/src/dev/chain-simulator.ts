import type { DevChainImpl } from "../chain/devchain/chain.js";
import type { Coin } from "../chain/devchain/coins.js";
import { DevChainError } from "../chain/devchain/types.js";
import { ConflictError } from "../domain/errors.js";

/** Replacement fee headroom, sat/vB above the replaced transaction's rate. */
const BUMP_SAT_VB = 1;
const WALLET_FEE_SAT_VB = 2;

export interface ReorgResult {
  /** Best-chain height afterwards. */
  height: number;
  /** Hashes of the blocks that left the best chain, oldest first. */
  disconnected: string[];
  /** The replacement blocks, oldest first: one more than were disconnected. */
  hashes: string[];
  /** Transactions double-spent back to devchain's wallet in the first replacement block. */
  dropped: string[];
}

/**
 * What the playground's simulate buttons do to devchain, in Bitcoin terms: a wallet payment, mining,
 * a reorg and a fee-bump replacement. Money moves only between devchain's own wallet and the
 * addresses it pays, so every replacement and double spend can be signed here.
 */
export class ChainSimulator {
  constructor(
    private readonly chain: DevChainImpl,
    private readonly minerAddress: string,
  ) {}

  /** A wallet payment (RBF-signalling, like Core's sendtoaddress): lands in the mempool. */
  pay(address: string, amountSats: bigint): string {
    return devchain(() => this.chain.sendToAddress(address, amountSats));
  }

  mine(blocks: number): { height: number; hashes: string[] } {
    const hashes = devchain(() => this.chain.generateToAddress(blocks, this.minerAddress));
    return { height: this.chain.tip().height, hashes };
  }

  /** Confirmations of a best-chain transaction, 0 in the mempool, -1 when devchain does not know it. */
  confirmations(txid: string): number {
    const tx = this.chain.getTx(txid);
    if (!tx) return -1;
    return tx.block ? this.chain.tip().height - tx.block.height + 1 : 0;
  }

  /**
   * Disconnects the last `depth` blocks (their transactions return to the mempool, as in Core),
   * then mines `depth + 1` blocks on the fork point so the new chain wins. The replacement blocks
   * carry nothing from the mempool, like a competing miner who never saw those transactions:
   * they wait unconfirmed. `drop` transactions are instead double-spent back to devchain's wallet
   * in the first replacement block, so they vanish for good (the reorg a merchant fears).
   */
  reorg(depth: number, drop: readonly string[] = []): ReorgResult {
    const tip = this.chain.tip();
    if (depth >= tip.height) throw new ConflictError(`the chain is only ${tip.height} blocks high`);
    for (const txid of drop) {
      const confirmations = this.confirmations(txid);
      if (confirmations > depth) {
        throw new ConflictError(
          `transaction ${txid} has ${confirmations} confirmations: a reorg of depth ${depth} cannot drop it`,
        );
      }
      this.walletCoins(txid);
    }
    const first = this.chain.blockAtHeight(tip.height - depth + 1)!;
    const disconnected: string[] = [];
    for (let h = first.height; h <= tip.height; h++) disconnected.push(this.chain.blockAtHeight(h)!.hash);
    devchain(() => this.chain.invalidateBlock(first.hash));

    // Only the first of a chain of dropped transactions needs a double spend: its descendants go with it.
    const dropping = new Set(drop.filter((txid) => this.chain.mempoolTx(txid)));
    const roots = [...dropping].filter(
      (txid) => !this.chain.mempoolRelatives(txid).ancestors.some((a) => dropping.has(a)),
    );
    const parents = [...new Set(roots.flatMap((txid) => this.chain.mempoolRelatives(txid).ancestors))];
    const doubleSpends = roots.map((txid) => this.spendBack(this.walletCoins(txid), WALLET_FEE_SAT_VB).toHex());
    const hashes = [devchain(() => this.chain.mineBlockWith(parents, this.minerAddress, doubleSpends))];
    for (let i = 0; i < depth; i++) hashes.push(devchain(() => this.chain.mineBlockWith([], this.minerAddress)));
    return { height: this.chain.tip().height, disconnected, hashes, dropped: [...dropping] };
  }

  /**
   * Replaces an unconfirmed transaction (and with it its descendants) by one spending the same
   * inputs back to devchain's wallet at a higher fee: full RBF, the payment is gone. Returns the
   * replacement's txid.
   */
  replace(txid: string): string {
    const old = this.chain.mempoolTx(txid);
    if (!old) throw new ConflictError(`transaction ${txid} is not in the mempool (confirmed or gone)`);
    const coins = this.walletCoins(txid);
    const evicted = [old, ...this.chain.mempoolRelatives(txid).descendants.map((id) => this.chain.mempoolTx(id)!)];
    const evictedFees = evicted.reduce((sum, e) => sum + e.feeSats, 0n);
    const oldRate = Math.max(...evicted.map((e) => Number(e.feeSats) / e.vsize));
    // BIP125: a higher feerate than what it replaces, and the replaced fees plus 1 sat/vB of its
    // own size on top (twice the old size: generous, whatever the signatures weigh).
    const tx = this.spendBack(coins, Math.ceil(oldRate) + BUMP_SAT_VB, evictedFees + BigInt(old.vsize * 2));
    return devchain(() => this.chain.sendRawTransaction(tx.toHex()));
  }

  /** The coins a transaction spent, if devchain's wallet can sign for all of them (else 409). */
  private walletCoins(txid: string): Coin[] {
    const coins = this.chain.spentCoins(txid);
    if (!coins) throw new ConflictError(`devchain does not know transaction ${txid}`);
    if (!coins.every((c) => this.chain.wallet.isMine(c.scriptHex))) {
      throw new ConflictError(
        `transaction ${txid} was not paid from devchain's wallet, so the simulator cannot sign a conflicting one`,
      );
    }
    return coins;
  }

  /** A transaction spending exactly `coins` to a fresh address of devchain's wallet. */
  private spendBack(coins: Coin[], feeRateSatVb: number, minFeeSats?: bigint) {
    return this.chain.wallet.fund({
      outputs: [],
      required: coins,
      available: [],
      feeRateSatVb,
      minFeeSats,
      locktime: this.chain.tip().height,
    });
  }
}

/** devchain answers like Bitcoin Core: its errors (insufficient funds, ...) are the caller's 409. */
function devchain<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof DevChainError) throw new ConflictError(`devchain: ${err.message}`);
    throw err;
  }
}
