/**
 * ChainSource over a Bitcoin Core node's JSON-RPC (v27 shapes). A pruned node without txindex is
 * enough: getblockcount, getblockhash, getblock <hash> 2, getblockheader, getbestblockhash,
 * getrawmempool, getrawtransaction <txid> true for mempool transactions, getmempoolinfo (hints), and
 * getblockchaininfo only when a rescan reaches back more than 288 blocks.
 *
 * Core cannot be asked "what pays this script", so the adapter keeps its own index in memory: the
 * blocks scanned on the best chain with the outputs paying watched scripts (block-sync.ts,
 * block-index.ts) and a view of the mempool (mempool-view.ts). A snapshot:
 *   1. drops the scripts no longer asked for;
 *   2. follows reorgs, scans new blocks, and scans back from `since` - 2 h for scripts asked for
 *      the first time (after a restart, that rebuilds the index; at most `maxRescanBlocks` back);
 *   3. refreshes the mempool view (getrawmempool, getrawtransaction for newcomers only);
 *   4. reads the best block hash LAST: if it is not the block the index ends at, a block arrived
 *      meanwhile (a payment may have left the mempool for it), so the snapshot goes round again.
 * Nothing is persisted, so the index costs memory for the watched scripts and recent blocks only.
 * Push hints come from polling RPC (bitcoind-hints.ts) and, when configured, Core's ZMQ
 * notifications (bitcoind-zmq.ts); the poll then slows down to a safety net.
 */
import { BitcoindHints } from "./bitcoind-hints.js";
import { hash, hashList, readHeader, txBlockHash, txOutputs } from "./bitcoind-json.js";
import { BitcoindRpc, RPC_INVALID_ADDRESS_OR_KEY, type RpcOutcome } from "./bitcoind-rpc.js";
import { BitcoindZmq } from "./bitcoind-zmq.js";
import type { IndexedBlock } from "./block-index.js";
import { BlockSync, ChainMoved } from "./block-sync.js";
import {
  type ChainHint,
  type ChainSnapshot,
  type ChainSource,
  ChainSourceError,
  type ChainTip,
  type ObservedOutput,
  type WatchedScript,
} from "./chain-source.js";
import { MempoolView } from "./mempool-view.js";

export interface BitcoindSourceOptions {
  /** `http://user:pass@host:port/` (credentials percent-encoded if they hold reserved characters). */
  url: string;
  /** Limit for one RPC request, body included. Default 30 s. */
  timeoutMs?: number;
  /** How often push hints are polled for, while someone listens. Default 2 s, 30 s with `zmqUrl`. */
  pollIntervalMs?: number;
  /** `tcp://host:port` of Core's `-zmqpubhashblock` and `-zmqpubrawtx` (one address for both). */
  zmqUrl?: string;
  /** How far back (in blocks) a script's first scan may reach. Default 2016 (~2 weeks). */
  maxRescanBlocks?: number;
  /** Newest blocks whose every output is kept in memory for new scripts. Default 24 (~4 h). */
  recentBlocks?: number;
  /** Injected by tests; default the global fetch. */
  fetch?: typeof globalThis.fetch;
}

/** Rounds of "the tip moved during the snapshot" before giving up until the watcher's next try. */
const MAX_ATTEMPTS = 3;
const RETRY_MOVING_CHAIN_MS = 500;
const TX_BATCH = 100;
/** Core serves RPC with 4 threads by default (rpcthreads); more parallel batches only queue. */
const TX_BATCHES_IN_PARALLEL = 4;

export class BitcoindSource implements ChainSource {
  readonly kind = "bitcoind" as const;
  private readonly rpc: BitcoindRpc;
  private readonly blocks: BlockSync;
  private readonly mempool = new MempoolView();
  private readonly hints: BitcoindHints;
  private readonly zmq: BitcoindZmq | undefined;
  /** Snapshots and hint-driven mempool refreshes run one at a time: they share the index. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(opts: BitcoindSourceOptions) {
    this.rpc = new BitcoindRpc({ url: opts.url, timeoutMs: opts.timeoutMs, fetch: opts.fetch });
    this.blocks = new BlockSync(this.rpc, {
      maxRescanBlocks: positive(opts.maxRescanBlocks ?? 2016, "maxRescanBlocks"),
      recentBlocks: positive(opts.recentBlocks ?? 24, "recentBlocks"),
    });
    this.hints = new BitcoindHints({
      rpc: this.rpc,
      intervalMs: positive(opts.pollIntervalMs ?? (opts.zmqUrl ? 30_000 : 2000), "pollIntervalMs"),
      refreshMempool: () => this.exclusive(() => this.refreshMempoolForHints()),
    });
    this.zmq = opts.zmqUrl
      ? new BitcoindZmq({ url: opts.zmqUrl, watches: (spk) => this.blocks.watches(spk) })
      : undefined;
  }

  async tip(): Promise<ChainTip> {
    this.assertOpen();
    const best = hash(await this.rpc.call("getbestblockhash"), "getbestblockhash");
    const header = readHeader(await this.rpc.call("getblockheader", [best, true]), "getblockheader");
    return { height: header.height, hash: best };
  }

  async snapshot(scripts: readonly WatchedScript[]): Promise<ChainSnapshot> {
    this.assertOpen();
    return this.exclusive(async () => {
      const asked = new Map(scripts.map((s) => [s.scriptPubKeyHex, s]));
      this.mempool.forgetScripts(this.blocks.forget(asked));
      if (asked.size === 0) return { tip: await this.tip(), outputs: new Map() };
      for (let attempt = 1; ; attempt++) {
        try {
          this.mempool.watch(await this.blocks.sync(asked));
          await this.refreshMempool();
          this.mempool.takeChanged(); // the caller is about to see them
          const best = hash(await this.rpc.call("getbestblockhash"), "getbestblockhash");
          const top = this.blocks.index.top;
          if (top !== undefined && best === top.hash) {
            this.hints.noteTip(best);
            return this.picture(asked, top);
          }
        } catch (error) {
          if (!(error instanceof ChainMoved)) throw error;
        }
        if (attempt === MAX_ATTEMPTS) {
          // Blocks in quick succession (regtest, or catching up): worth retrying soon, not after a backoff.
          throw new ChainSourceError(
            `bitcoind's best chain kept changing during ${MAX_ATTEMPTS} snapshot attempts`,
            RETRY_MOVING_CHAIN_MS,
          );
        }
      }
    });
  }

  onHint(listener: (hint: ChainHint) => void): () => void {
    const removePoll = this.hints.add(listener);
    const removeZmq = this.zmq?.add(listener);
    return () => {
      removePoll();
      removeZmq?.();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.hints.close(), this.zmq?.close()]);
  }

  /** Every asked script gets an entry; a transaction found in a block is never also reported in the mempool. */
  private picture(asked: ReadonlyMap<string, WatchedScript>, top: IndexedBlock): ChainSnapshot {
    const outputs = new Map<string, ObservedOutput[]>([...asked.keys()].map((spk) => [spk, []]));
    const confirmed = new Set<string>();
    for (const o of this.blocks.index.outputs()) {
      outputs.get(o.scriptPubKeyHex)?.push({ ...o, block: o.block && { ...o.block } });
      confirmed.add(o.txid);
    }
    for (const o of this.mempool.outputs()) {
      if (!confirmed.has(o.txid)) outputs.get(o.scriptPubKeyHex)?.push({ ...o });
    }
    return { tip: { height: top.height, hash: top.hash }, outputs };
  }

  private async refreshMempool(): Promise<void> {
    const fresh = this.mempool.sync(hashList(await this.rpc.call("getrawmempool", [false]), "getrawmempool"));
    const watched = this.blocks.scripts();
    const chunks: string[][] = [];
    for (let i = 0; i < fresh.length; i += TX_BATCH) chunks.push(fresh.slice(i, i + TX_BATCH));
    await eachLimited(chunks, TX_BATCHES_IN_PARALLEL, async (txids) => {
      const outcomes = await this.rpc.batch(
        txids.map((txid) => ({ method: "getrawtransaction", params: [txid, true] })),
      );
      for (const [i, outcome] of outcomes.entries()) this.addMempoolTx(txids[i]!, outcome, watched);
    });
  }

  private addMempoolTx(txid: string, outcome: RpcOutcome, watched: ReadonlySet<string>): void {
    if (!outcome.ok) {
      // -5: it left the mempool since getrawmempool (mined, replaced or evicted).
      if (outcome.error.code === RPC_INVALID_ADDRESS_OR_KEY) return;
      throw outcome.error;
    }
    const what = `getrawtransaction ${txid}`;
    // A node with txindex also answers for mined transactions: this one was mined since getrawmempool,
    // so the block scan (next round, as the tip has moved) will find it.
    if (txBlockHash(outcome.result, what) !== undefined) return;
    this.mempool.add(txid, txOutputs(outcome.result, what), watched);
  }

  private async refreshMempoolForHints(): Promise<Iterable<string>> {
    if (this.closed || this.blocks.scripts().size === 0) return [];
    await this.refreshMempool();
    return this.mempool.takeChanged();
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.closed) throw new ChainSourceError("the bitcoind chain source is closed");
  }
}

/** Runs `work` over `items`, at most `limit` at a time; waits for all to settle, then throws the first error. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      try {
        await work(items[next++]!);
      } catch (error) {
        next = items.length; // the other lanes stop after their current item
        throw error;
      }
    }
  });
  const failed = (await Promise.allSettled(lanes)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

function positive(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
