/**
 * The bitcoind adapter's memory of the best chain: a contiguous run of scanned blocks (height, hash,
 * header time) ending at the block the adapter last synced to, each with the outputs it holds that
 * pay a watched script. It never holds whole blocks, so its size follows the watched scripts and the
 * blocks since the oldest one's `since`, not the chain's history. The most recent blocks also keep
 * every output in compact form (`txs`): each new invoice's script must be looked for in the blocks of
 * the last ~2 hours (block-time skew), and reading them from memory saves a dozen multi-megabyte
 * `getblock` calls per new invoice on mainnet.
 *
 * Invariant kept by BitcoindSource: a script registered from height F has all its outputs recorded in
 * every indexed block at or above F. Pure data; no RPC here.
 */
import type { ObservedOutput } from "./chain-source.js";

export interface IndexedBlock {
  height: number;
  hash: string;
  /** Header time, unix seconds. */
  time: number;
  outputs: ObservedOutput[];
  /** Recent blocks only: every transaction as txid (64 hex) + compact-outputs.ts encoding. */
  txs?: string[];
}

export class BlockIndex {
  /** Ascending, contiguous heights. */
  private blocks: IndexedBlock[] = [];

  get top(): IndexedBlock | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  get base(): number | undefined {
    return this.blocks[0]?.height;
  }

  get isEmpty(): boolean {
    return this.blocks.length === 0;
  }

  at(height: number): IndexedBlock | undefined {
    const base = this.base;
    return base === undefined ? undefined : this.blocks[height - base];
  }

  /** A block connected on top of `top`. */
  append(block: IndexedBlock): void {
    const top = this.top;
    if (top !== undefined && block.height !== top.height + 1) {
      throw new RangeError(`block ${block.height} does not follow the index top ${top.height}`);
    }
    this.blocks.push(block);
  }

  /**
   * Records a rescan's results: outputs for blocks already held are added, blocks below `base` are
   * prepended. `scanned` is ascending and contiguous and ends at or below `top`; when the index is
   * empty it becomes the index.
   */
  merge(scanned: readonly IndexedBlock[]): void {
    const base = this.base;
    if (base === undefined) {
      this.blocks = [...scanned];
      return;
    }
    const below: IndexedBlock[] = [];
    for (const block of scanned) {
      const held = this.at(block.height);
      if (held !== undefined) held.outputs.push(...block.outputs);
      else if (block.height < base) below.push(block);
      else throw new RangeError(`rescanned block ${block.height} is above the index top`);
    }
    if (below.length > 0 && below[below.length - 1]!.height !== base - 1) {
      throw new RangeError("rescanned blocks do not reach the index base");
    }
    this.blocks = [...below, ...this.blocks];
  }

  /** Disconnects every block above `height` (a reorg's fork point). */
  truncateAbove(height: number): void {
    const base = this.base;
    if (base === undefined) return;
    this.blocks.length = Math.max(0, Math.min(this.blocks.length, height - base + 1));
  }

  /** Forgets blocks below `height`: no watched script needs them any more. Keeps the top at least. */
  trimBelow(height: number): void {
    const base = this.base;
    if (base === undefined) return;
    const drop = Math.min(Math.max(0, height - base), this.blocks.length - 1);
    if (drop > 0) this.blocks = this.blocks.slice(drop);
  }

  /** Frees the compact transactions of blocks below `height`. */
  dropTxsBelow(height: number): void {
    for (const block of this.blocks) {
      if (block.height >= height) break;
      delete block.txs;
    }
  }

  clear(): void {
    this.blocks = [];
  }

  forgetScripts(scripts: ReadonlySet<string>): void {
    for (const block of this.blocks) {
      if (block.outputs.some((o) => scripts.has(o.scriptPubKeyHex))) {
        block.outputs = block.outputs.filter((o) => !scripts.has(o.scriptPubKeyHex));
      }
    }
  }

  /** Every recorded output, oldest block first. */
  *outputs(): IterableIterator<ObservedOutput> {
    for (const block of this.blocks) yield* block.outputs;
  }
}
