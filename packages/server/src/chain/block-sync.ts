/**
 * Keeps the bitcoind adapter's BlockIndex on the node's best chain, for the scripts being watched:
 * follow reorgs, scan newly connected blocks, and scan back for scripts asked for the first time.
 *
 * Costs follow the watched scripts and new blocks: a new block is one `getblockhash` + one
 * `getblock <hash> 2`; a reorg check is one batched call when nothing happened. A new script needs
 * the blocks from its `since` minus 2 h (block timestamps may lag real time): the recent ones are in
 * memory (BlockIndex `txs`), older ones (after a restart) are fetched again, at most
 * `maxRescanBlocks` of them and never below a pruned node's `pruneheight`. Nothing here needs
 * txindex, importdescriptors or scantxoutset.
 */
import {
  type BlockHeaderInfo,
  hash,
  integer,
  readBlock,
  readHeader,
  txid,
  txOutputs,
  type VerboseBlock,
} from "./bitcoind-json.js";
import {
  type BitcoindRpc,
  BitcoindRpcError,
  isRecord,
  RPC_INVALID_PARAMETER,
  RPC_METHOD_NOT_FOUND,
} from "./bitcoind-rpc.js";
import { BlockIndex, type IndexedBlock } from "./block-index.js";
import type { ObservedOutput, WatchedScript } from "./chain-source.js";
import { decodePaying, encodeOutputs, pays } from "./compact-outputs.js";

/** Block timestamps may trail real time by up to ~2 h (they only have to beat the median of the last 11). */
const BLOCK_TIME_SKEW_S = 2 * 60 * 60;
/** Core never prunes the last 288 blocks (MIN_BLOCKS_TO_KEEP), so only older rescans ask about pruning. */
const MIN_BLOCKS_KEPT = 288;
const HEADER_BATCH = 50;
const REORG_BATCH = 10;
const HASH_BATCH = 1000;
const TXID_HEX_LENGTH = 64;

/** The node's chain changed in the middle of a scan; the caller starts over (BitcoindSource loops). */
export class ChainMoved extends Error {
  constructor() {
    super("the best chain changed during the scan");
    this.name = "ChainMoved";
  }
}

export interface BlockSyncOptions {
  maxRescanBlocks: number;
  /** How many of the newest blocks keep every output in memory for new scripts. */
  recentBlocks: number;
}

export class BlockSync {
  readonly index = new BlockIndex();
  /** Watched script -> the height from which the index holds its outputs. */
  private readonly watched = new Map<string, number>();
  /** Best-chain headers below the index, for finding where a `since` starts. */
  private readonly headers = new Map<number, { hash: string; time: number }>();

  constructor(
    private readonly rpc: BitcoindRpc,
    private readonly opts: BlockSyncOptions,
  ) {}

  scripts(): Set<string> {
    return new Set(this.watched.keys());
  }

  watches(scriptPubKeyHex: string): boolean {
    return this.watched.has(scriptPubKeyHex);
  }

  /** Stops watching scripts not in `asked`; returns them. */
  forget(asked: ReadonlyMap<string, WatchedScript>): Set<string> {
    const dropped = new Set([...this.watched.keys()].filter((spk) => !asked.has(spk)));
    for (const spk of dropped) this.watched.delete(spk);
    if (dropped.size > 0) this.index.forgetScripts(dropped);
    this.trim();
    return dropped;
  }

  /**
   * Brings the index to the node's best chain and registers the scripts of `asked` not watched yet.
   * Returns those newly registered. Throws ChainMoved when the chain changed under the scan.
   */
  async sync(asked: ReadonlyMap<string, WatchedScript>): Promise<Set<string>> {
    let count: number;
    if (this.index.isEmpty) {
      count = integer(await this.rpc.call("getblockcount"), "getblockcount");
    } else {
      count = await this.followReorg();
      if (!this.index.isEmpty) await this.connect(count);
    }
    const fresh = [...asked.values()].filter((s) => !this.watched.has(s.scriptPubKeyHex));
    if (fresh.length > 0) await this.register(fresh, this.index.top?.height ?? count);
    this.trim();
    return new Set(fresh.map((s) => s.scriptPubKeyHex));
  }

  /** Drops indexed blocks no longer on the best chain; returns the node's block count. */
  private async followReorg(): Promise<number> {
    const top = this.index.top!;
    const [countOutcome, hashOutcome] = await this.rpc.batch([
      { method: "getblockcount" },
      { method: "getblockhash", params: [top.height] },
    ]);
    if (!countOutcome!.ok) throw countOutcome!.error;
    const count = integer(countOutcome!.result, "getblockcount");
    if (hashOutcome!.ok && hash(hashOutcome!.result, "getblockhash") === top.hash) return count;
    // -8 (height out of range): the node's chain is now shorter than the index.
    if (!hashOutcome!.ok && hashOutcome!.error.code !== RPC_INVALID_PARAMETER) throw hashOutcome!.error;
    // Walk down (a batch at a time) to the highest block both chains share.
    const base = this.index.base!;
    for (let to = Math.min(top.height - 1, count); to >= base; to -= REORG_BATCH) {
      const heights = range(Math.max(base, to - REORG_BATCH + 1), to);
      const hashes = await this.rpc.batch(heights.map((h) => ({ method: "getblockhash", params: [h] })));
      for (let i = heights.length - 1; i >= 0; i--) {
        const outcome = hashes[i]!;
        if (!outcome.ok && outcome.error.code !== RPC_INVALID_PARAMETER) throw outcome.error;
        if (outcome.ok && hash(outcome.result, "getblockhash") === this.index.at(heights[i]!)!.hash) {
          this.disconnectAbove(heights[i]!);
          return count;
        }
      }
    }
    // The fork is below everything indexed: start over; every asked script is registered afresh.
    this.index.clear();
    this.headers.clear();
    this.watched.clear();
    return count;
  }

  private disconnectAbove(height: number): void {
    this.index.truncateAbove(height);
    for (const h of this.headers.keys()) if (h > height) this.headers.delete(h);
  }

  /** Scans the blocks connected above the index top, for every watched script. */
  private async connect(count: number): Promise<void> {
    const top = this.index.top!;
    if (count <= top.height) return;
    const heights = range(top.height + 1, count);
    const hashes = await this.blockHashes(heights);
    const scripts = this.scripts();
    for (const height of heights) {
      const block = await this.fetchBlock(hashes.get(height)!, height);
      if (block.previousblockhash !== this.index.top!.hash) throw new ChainMoved();
      this.index.append(scan(block, scripts, true));
    }
  }

  /** Scans blocks [start of the oldest `since`, top] for new scripts only, then watches them. */
  private async register(fresh: readonly WatchedScript[], top: number): Promise<void> {
    const floor = Math.max(0, top - this.opts.maxRescanBlocks + 1);
    const starts = new Map<string, number>();
    for (const s of fresh) starts.set(s.scriptPubKeyHex, await this.startHeight(s.since, top, floor));
    let from = minOf(starts.values(), top);
    if (from <= top - MIN_BLOCKS_KEPT) {
      const pruned = await this.pruneHeight();
      if (pruned > from) {
        from = pruned;
        for (const [spk, start] of starts) starts.set(spk, Math.max(start, pruned));
      }
    }
    const recentFrom = top - this.opts.recentBlocks + 1;
    const hashes = await this.blockHashes(range(from, top).filter((h) => this.index.at(h) === undefined));
    const scanned: IndexedBlock[] = [];
    let previous: string | undefined;
    for (let height = from; height <= top; height++) {
      const scripts = new Set([...starts].filter(([, start]) => start <= height).map(([spk]) => spk));
      const held = this.index.at(height);
      if (held?.txs !== undefined) {
        scanned.push({ height, hash: held.hash, time: held.time, outputs: fromTxs(held, scripts) });
      } else {
        const block = await this.fetchBlock(held?.hash ?? hashes.get(height)!, height);
        if (previous !== undefined && block.previousblockhash !== previous) throw new ChainMoved();
        scanned.push(scan(block, scripts, height >= recentFrom));
      }
      previous = scanned[scanned.length - 1]!.hash;
    }
    this.index.merge(scanned);
    for (const [spk, start] of starts) this.watched.set(spk, start);
  }

  /** The first height whose block could hold a payment made after `since` (walking back through header times). */
  private async startHeight(since: Date, top: number, floor: number): Promise<number> {
    const threshold = Math.floor(since.getTime() / 1000) - BLOCK_TIME_SKEW_S;
    for (let height = top; height >= floor; ) {
      const time = this.index.at(height)?.time ?? this.headers.get(height)?.time;
      if (time === undefined) {
        await this.loadHeaders(Math.max(floor, height - HEADER_BATCH + 1), height);
        continue;
      }
      if (time < threshold) return Math.min(height + 1, top);
      height--;
    }
    return floor;
  }

  private async loadHeaders(from: number, to: number): Promise<void> {
    // A bound, not an LRU: a restart with old invoices fills it once, then it is rebuilt on demand.
    if (this.headers.size > 4 * this.opts.maxRescanBlocks) this.headers.clear();
    const heights = range(from, to);
    const hashes = await this.blockHashes(heights);
    const headers = await this.rpc.batchAll(
      heights.map((h) => ({ method: "getblockheader", params: [hashes.get(h)!] })),
    );
    headers.forEach((json, i) => {
      const header: BlockHeaderInfo = readHeader(json, `getblockheader ${heights[i]}`);
      this.headers.set(header.height, { hash: header.hash, time: header.time });
    });
  }

  /** 0 unless the node is pruned; a node without getblockchaininfo is taken as unpruned. */
  private async pruneHeight(): Promise<number> {
    try {
      const info = await this.rpc.call("getblockchaininfo");
      return isRecord(info) && info.pruned === true ? integer(info.pruneheight, "getblockchaininfo.pruneheight") : 0;
    } catch (error) {
      if (error instanceof BitcoindRpcError && error.code === RPC_METHOD_NOT_FOUND) return 0;
      throw error;
    }
  }

  private async blockHashes(heights: readonly number[]): Promise<Map<number, string>> {
    const hashes = new Map<number, string>();
    for (let i = 0; i < heights.length; i += HASH_BATCH) {
      const chunk = heights.slice(i, i + HASH_BATCH);
      const outcomes = await this.rpc.batch(chunk.map((h) => ({ method: "getblockhash", params: [h] })));
      outcomes.forEach((outcome, j) => {
        if (!outcome.ok) {
          if (outcome.error.code === RPC_INVALID_PARAMETER) throw new ChainMoved(); // the chain got shorter
          throw outcome.error;
        }
        hashes.set(chunk[j]!, hash(outcome.result, "getblockhash"));
      });
    }
    return hashes;
  }

  private async fetchBlock(blockHash: string, height: number): Promise<VerboseBlock> {
    const block = readBlock(await this.rpc.call("getblock", [blockHash, 2]), `getblock ${blockHash}`);
    // Disconnected since we learnt its hash (confirmations -1), or not the block we asked for.
    if (block.confirmations < 0 || block.height !== height) throw new ChainMoved();
    return block;
  }

  /** Keeps the blocks some watched script or a future one needs, and the compact txs of the recent ones. */
  private trim(): void {
    const top = this.index.top;
    if (this.watched.size === 0 || top === undefined) {
      this.index.clear();
      this.headers.clear();
      return;
    }
    const recentFrom = top.height - this.opts.recentBlocks + 1;
    this.index.trimBelow(minOf(this.watched.values(), recentFrom));
    this.index.dropTxsBelow(recentFrom);
  }
}

/** The outputs of a verbose block paying one of `scripts`; every output compactly too when `keepTxs`. */
function scan(block: VerboseBlock, scripts: ReadonlySet<string>, keepTxs: boolean): IndexedBlock {
  const at = { height: block.height, hash: block.hash };
  const outputs: ObservedOutput[] = [];
  const txs: string[] = [];
  block.tx.forEach((tx, i) => {
    const what = `block ${block.height} tx[${i}]`;
    const id = txid(tx, what);
    const outs = txOutputs(tx, what);
    for (const o of outs) if (scripts.has(o.scriptPubKeyHex)) outputs.push({ txid: id, ...o, block: at });
    if (keepTxs) txs.push(id + encodeOutputs(id, outs));
  });
  return keepTxs ? { ...at, time: block.time, outputs, txs } : { ...at, time: block.time, outputs };
}

/** The outputs paying one of `scripts`, read from a recent block's compact transactions. */
function fromTxs(block: IndexedBlock, scripts: ReadonlySet<string>): ObservedOutput[] {
  const at = { height: block.height, hash: block.hash };
  const outputs: ObservedOutput[] = [];
  if (scripts.size === 0) return outputs;
  for (const line of block.txs ?? []) {
    const encoded = line.slice(TXID_HEX_LENGTH);
    let hit = false;
    for (const spk of scripts) if (pays(encoded, spk)) hit = true;
    if (!hit) continue;
    const id = line.slice(0, TXID_HEX_LENGTH);
    for (const o of decodePaying(encoded, scripts)) outputs.push({ txid: id, ...o, block: at });
  }
  return outputs;
}

/** Math.min without spreading (thousands of watched scripts would strain the argument list). */
function minOf(values: Iterable<number>, otherwise: number): number {
  let min = otherwise;
  for (const v of values) if (v < min) min = v;
  return min;
}

function range(from: number, to: number): number[] {
  return from > to ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
