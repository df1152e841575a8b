/**
 * Push hints for the bitcoind adapter by polling, since plain JSON-RPC cannot push. Every
 * `intervalMs`, only while someone listens, one batched request asks for the best block hash, the
 * block count and `getmempoolinfo`:
 * - a new best block hash -> `{kind: "block", height}`;
 * - a changed mempool (size, bytes or total fee: a fee bump keeps the size but raises the fee) ->
 *   the adapter refreshes its mempool view and a `{kind: "script"}` hint goes out for each watched
 *   script whose mempool outputs came or went. Without getmempoolinfo, the view is refreshed every poll.
 *
 * With ZMQ configured (bitcoind-zmq.ts pushes the same hints), this poll runs rarely, as a safety net.
 * Hints are only hints: the watcher's snapshots stay the truth, so a failed poll is dropped silently
 * (its error will surface from the next snapshot) and the poll runs again after the interval.
 */

import { hash, integer } from "./bitcoind-json.js";
import { type BitcoindRpc, isRecord, type RpcOutcome } from "./bitcoind-rpc.js";
import type { ChainHint } from "./chain-source.js";
import { JsonNumber } from "./json-exact.js";

export interface BitcoindHintsOptions {
  rpc: BitcoindRpc;
  intervalMs: number;
  /** Refreshes the mempool view; returns the watched scripts whose mempool outputs changed. */
  refreshMempool: () => Promise<Iterable<string>>;
}

export class BitcoindHints {
  private readonly listeners = new Set<(hint: ChainHint) => void>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastTipHash: string | undefined;
  private lastMempoolStamp: string | undefined;
  private closed = false;

  constructor(private readonly opts: BitcoindHintsOptions) {}

  add(listener: (hint: ChainHint) => void): () => void {
    this.listeners.add(listener);
    this.schedule();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopTimer();
    };
  }

  /** A tip the watcher has already seen (from a snapshot): no hint for it. */
  noteTip(tipHash: string): void {
    this.lastTipHash = tipHash;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.stopTimer();
    await this.inFlight;
  }

  private schedule(): void {
    if (this.closed || this.listeners.size === 0 || this.timer !== undefined || this.inFlight !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.poll().finally(() => {
        this.inFlight = undefined;
        this.schedule();
      });
    }, this.opts.intervalMs);
    // A pending poll must not keep the process alive on shutdown.
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    try {
      const [best, count, mempool] = await this.opts.rpc.batch([
        { method: "getbestblockhash" },
        { method: "getblockcount" },
        { method: "getmempoolinfo" },
      ]);
      let newBlock = false;
      if (best!.ok) {
        const tipHash = hash(best!.result, "getbestblockhash");
        newBlock = this.lastTipHash !== undefined && tipHash !== this.lastTipHash;
        this.lastTipHash = tipHash;
        if (newBlock) {
          this.emit(count!.ok ? { kind: "block", height: integer(count!.result, "getblockcount") } : { kind: "block" });
        }
      }
      const stamp = mempoolStamp(mempool!);
      if (stamp !== undefined && stamp === this.lastMempoolStamp) return;
      this.lastMempoolStamp = stamp;
      const changed = await this.opts.refreshMempool();
      // After a new block the watcher takes a full snapshot anyway.
      if (newBlock || this.closed) return;
      for (const scriptPubKeyHex of changed) this.emit({ kind: "script", scriptPubKeyHex });
    } catch {
      // Dropped on purpose, see the module comment.
    }
  }

  private emit(hint: ChainHint): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(hint);
      } catch {
        // One failing listener must not starve the others or stop the poller.
      }
    }
  }
}

/** What changes whenever the mempool does; undefined when getmempoolinfo is unavailable. */
function mempoolStamp(outcome: RpcOutcome): string | undefined {
  if (!outcome.ok || !isRecord(outcome.result)) return undefined;
  const info = outcome.result;
  return ["size", "bytes", "total_fee"]
    .map((field) => (info[field] instanceof JsonNumber ? (info[field] as JsonNumber).text : ""))
    .join("|");
}
