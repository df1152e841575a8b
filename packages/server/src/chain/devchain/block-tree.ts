/**
 * Every block devchain has seen, best chain or not, with the blocks marked invalid by
 * `invalidateblock`. Picks the chain Core would follow: the most work (all regtest blocks weigh the
 * same, so the greatest height) among chains with no invalid block, the current tip winning ties
 * and otherwise the block seen first.
 */
import type { Block } from "bitcoinjs-lib";
import { idFromHash } from "./hex.js";
import type { DevBlock } from "./types.js";

export class BlockTree {
  private readonly blocks = new Map<string, DevBlock>();
  private readonly arrival = new Map<string, number>();
  private readonly invalid = new Set<string>();

  get(hash: string): DevBlock | undefined {
    return this.blocks.get(hash);
  }

  has(hash: string): boolean {
    return this.blocks.has(hash);
  }

  /** Adds a block whose parent is known (or the genesis block). */
  add(block: Block, height: number): DevBlock {
    const hash = block.getId();
    const existing = this.blocks.get(hash);
    if (existing) return existing;
    const dev: DevBlock = {
      hash,
      height,
      prevHash: idFromHash(block.prevHash!),
      time: block.timestamp,
      header: block.toBuffer(true),
      block,
      txids: block.transactions!.map((tx) => tx.getId()),
    };
    this.blocks.set(hash, dev);
    this.arrival.set(hash, this.arrival.size);
    return dev;
  }

  /** All blocks in the order they were first seen. */
  inArrivalOrder(): DevBlock[] {
    return [...this.blocks.values()];
  }

  markInvalid(hash: string): void {
    this.invalid.add(hash);
  }

  /** Clears the mark of this block, its ancestors and its descendants, as Core's reconsiderblock does. */
  clearInvalid(hash: string): void {
    const target = this.blocks.get(hash);
    if (!target) return;
    for (const marked of [...this.invalid]) {
      const block = this.blocks.get(marked);
      if (block && (this.isAncestor(block, target) || this.isAncestor(target, block))) this.invalid.delete(marked);
    }
  }

  invalidHashes(): string[] {
    return [...this.invalid];
  }

  /** Whether `ancestor` is `block` or one of its ancestors. */
  private isAncestor(ancestor: DevBlock, block: DevBlock): boolean {
    let b: DevBlock | undefined = block;
    while (b && b.height > ancestor.height) b = this.blocks.get(b.prevHash);
    return b?.hash === ancestor.hash;
  }

  /** Whether neither the block nor any ancestor is marked invalid. */
  isValid(hash: string): boolean {
    return this.validity().get(hash) === true;
  }

  private validity(): Map<string, boolean> {
    const valid = new Map<string, boolean>();
    const byHeight = [...this.blocks.values()].sort((a, b) => a.height - b.height);
    for (const block of byHeight) {
      const parentValid = block.height === 0 || valid.get(block.prevHash) === true;
      valid.set(block.hash, parentValid && !this.invalid.has(block.hash));
    }
    return valid;
  }

  /** The block the best chain should end at, given the current tip. */
  bestTip(current: DevBlock | undefined): DevBlock {
    const valid = this.validity();
    let best = current && valid.get(current.hash) ? current : undefined;
    for (const block of this.blocks.values()) {
      if (!valid.get(block.hash)) continue;
      if (!best || block.height > best.height) best = block;
    }
    if (!best) throw new Error("devchain has no valid block (genesis missing?)");
    return best;
  }
}
