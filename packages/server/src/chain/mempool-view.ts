/**
 * The bitcoind adapter's view of the node's mempool: every txid it has fetched once, and the outputs
 * among them that pay a watched script. A txid is fetched (getrawtransaction) only the first time it
 * is seen and forgotten when it leaves the mempool, so a refresh costs one getrawmempool plus the
 * newcomers.
 *
 * Every output of every mempool transaction is kept, compactly (one string per transaction), because
 * a script can start being watched after its payment arrived: an invoice is finalized, the customer
 * pays at once, and the watcher asks for the new address a moment later. Re-fetching the whole
 * mempool for each new address would cost far more than ~60 bytes per output (compact-outputs.ts):
 * a full default mainnet mempool (300 MB, ~150k transactions) costs ~25 MB here.
 */
import type { TxOut } from "./bitcoind-json.js";
import type { ObservedOutput } from "./chain-source.js";
import { decodePaying, encodeOutputs, pays } from "./compact-outputs.js";

export class MempoolView {
  /** txid -> its outputs, encoded by compact-outputs.ts. */
  private readonly txs = new Map<string, string>();
  /** txid -> its outputs paying a watched script; only txids that have one. */
  private readonly matches = new Map<string, ObservedOutput[]>();
  /** Watched scripts whose mempool outputs changed since the last `takeChanged`. */
  private changed = new Set<string>();

  get size(): number {
    return this.txs.size;
  }

  /** Forgets txids that left the mempool; returns the txids of `current` not seen before. */
  sync(current: readonly string[]): string[] {
    const now = new Set(current);
    for (const txid of this.txs.keys()) {
      if (!now.has(txid)) this.remove(txid);
    }
    return current.filter((txid) => !this.txs.has(txid));
  }

  add(txid: string, outputs: readonly TxOut[], watched: ReadonlySet<string>): void {
    this.txs.set(txid, encodeOutputs(txid, outputs));
    const paying = outputs.filter((o) => watched.has(o.scriptPubKeyHex)).map((o) => observed(txid, o));
    if (paying.length > 0) this.record(txid, paying);
  }

  /** Finds, among transactions already known, the outputs paying newly watched scripts. */
  watch(scripts: ReadonlySet<string>): void {
    if (scripts.size === 0) return;
    for (const [txid, encoded] of this.txs) {
      if (!some(scripts, (spk) => pays(encoded, spk))) continue;
      this.record(
        txid,
        decodePaying(encoded, scripts).map((o) => observed(txid, o)),
      );
    }
  }

  forgetScripts(scripts: ReadonlySet<string>): void {
    for (const [txid, outputs] of this.matches) {
      const kept = outputs.filter((o) => !scripts.has(o.scriptPubKeyHex));
      if (kept.length === 0) this.matches.delete(txid);
      else if (kept.length !== outputs.length) this.matches.set(txid, kept);
    }
  }

  clear(): void {
    this.txs.clear();
    this.matches.clear();
    this.changed.clear();
  }

  *outputs(): IterableIterator<ObservedOutput> {
    for (const outputs of this.matches.values()) yield* outputs;
  }

  /** The watched scripts whose mempool outputs came or went since the last call (for push hints). */
  takeChanged(): Set<string> {
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  private record(txid: string, paying: ObservedOutput[]): void {
    const known = this.matches.get(txid) ?? [];
    const fresh = paying.filter((p) => !known.some((k) => k.vout === p.vout));
    if (fresh.length === 0) return;
    this.matches.set(
      txid,
      [...known, ...fresh].sort((a, b) => a.vout - b.vout),
    );
    for (const o of fresh) this.changed.add(o.scriptPubKeyHex);
  }

  private remove(txid: string): void {
    this.txs.delete(txid);
    for (const o of this.matches.get(txid) ?? []) this.changed.add(o.scriptPubKeyHex);
    this.matches.delete(txid);
  }
}

function some<T>(items: Iterable<T>, test: (item: T) => boolean): boolean {
  for (const item of items) if (test(item)) return true;
  return false;
}

function observed(txid: string, o: TxOut): ObservedOutput {
  return { txid, vout: o.vout, scriptPubKeyHex: o.scriptPubKeyHex, valueSats: o.valueSats, block: null };
}
