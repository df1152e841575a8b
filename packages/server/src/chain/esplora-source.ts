/**
 * ChainSource over the Esplora REST API (Blockstream's esplora/electrs, mempool.space, or devchain's
 * esplora-server): per watched script, its history pages, then the tip, read last.
 *
 * Complete or throw. Esplora pages confirmed history by "the last txid seen", so a reorg between two
 * pages can end the listing early (electrs answers [] once that txid has left the chain) and silently
 * drop outputs. So the tip is also read first, and when it moved, every block the snapshot relied on
 * above the first tip, and the first tip itself, is checked to be on the best chain before the snapshot
 * is returned; otherwise it is taken again (up to 3 times, then ChainSourceError). No block change
 * during the scan (the usual case) costs no extra request.
 *
 * Page sizes: electrs' `/txs` is <= 50 mempool + <= 25 confirmed, mempool.space's is <= 25 in all;
 * both page confirmed history 25 at a time. A `/txs` answer shorter than 25 is therefore complete on
 * both, and anything longer is completed with `/txs/chain/:last` pages and `/txs/mempool`.
 *
 * Esplora has no push: hints come from polling `/blocks/tip/hash` while someone listens.
 */
import {
  type ChainHint,
  type ChainSnapshot,
  type ChainSource,
  ChainSourceError,
  type ChainTip,
  type ObservedOutput,
  type WatchedScript,
} from "./chain-source.js";
import { EsploraClient, type EsploraClientOptions } from "./esplora-client.js";
import { esploraScripthash } from "./esplora-scripthash.js";
import { type EsploraTx, isHash, parseBlockStatus, parseTxList, parseUtxoList } from "./esplora-tx.js";

export interface EsploraSourceOptions extends Omit<EsploraClientOptions, "signal"> {
  /** Requests in flight at once during a snapshot. Default 4. */
  concurrency?: number;
  /** How often `/blocks/tip/hash` is polled while a hint listener is registered. Default 10 s. */
  pollIntervalMs?: number;
}

const PAGE = 25;
/** electrs' and mempool.space's `/txs/mempool` limit: a full answer may hide older mempool txs. */
const MEMPOOL_LIMIT = 50;
const SNAPSHOT_ATTEMPTS = 3;

interface ScriptScan {
  outputs: ObservedOutput[];
  /** Every block a listed transaction was in, hash -> height. */
  blocks: Map<string, number>;
}

export class EsploraSource implements ChainSource {
  readonly kind = "esplora";
  private readonly client: EsploraClient;
  private readonly closing = new AbortController();
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly listeners = new Set<(hint: ChainHint) => void>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private lastTipHash: string | undefined;

  constructor(options: EsploraSourceOptions) {
    const { concurrency = 4, pollIntervalMs = 10_000, ...client } = options;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new RangeError("concurrency must be >= 1");
    if (!(pollIntervalMs > 0)) throw new RangeError("pollIntervalMs must be > 0");
    this.client = new EsploraClient({ ...client, signal: this.closing.signal });
    this.concurrency = concurrency;
    this.pollIntervalMs = pollIntervalMs;
  }

  async tip(): Promise<ChainTip> {
    // Hash first, then its height: two reads of /blocks/tip/{height,hash} could straddle a new block.
    for (let attempt = 1; ; attempt++) {
      const hash = (await this.client.text("/blocks/tip/hash")).trim();
      if (!isHash(hash)) throw new ChainSourceError(`esplora: /blocks/tip/hash answered ${JSON.stringify(hash)}`);
      const status = parseBlockStatus(await this.client.json(`/block/${hash}/status`), `/block/${hash}/status`);
      if (status.inBestChain && status.height !== null) {
        this.lastTipHash = hash;
        return { height: status.height, hash };
      }
      if (attempt === SNAPSHOT_ATTEMPTS) throw new ChainSourceError("esplora: the tip kept changing while read");
    }
  }

  async snapshot(scripts: readonly WatchedScript[]): Promise<ChainSnapshot> {
    for (let attempt = 1; ; attempt++) {
      const first = await this.tip();
      const scans = await mapLimit(scripts, this.concurrency, (script) => this.scan(script));
      const tip = await this.tip();
      const blocks = new Map(scans.flatMap((scan) => [...scan.blocks]));
      if (await this.onOneChain(first, tip, blocks)) {
        return { tip, outputs: new Map(scripts.map((script, i) => [script.scriptPubKeyHex, scans[i]!.outputs])) };
      }
      if (attempt === SNAPSHOT_ATTEMPTS) {
        throw new ChainSourceError(`esplora: the chain reorganised during each of ${attempt} snapshot attempts`);
      }
    }
  }

  onHint(listener: (hint: ChainHint) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.startPolling();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.stopPolling();
    this.closing.abort();
    await this.polling;
  }

  /** Everything paying one script, from its history pages. */
  private async scan(script: WatchedScript): Promise<ScriptScan> {
    const wanted = script.scriptPubKeyHex.toLowerCase();
    const base = `/scripthash/${esploraScripthash(wanted)}`;
    const txs = new Map<string, EsploraTx>();
    /** Adds a page; a tx listed twice (it confirmed between two pages) counts where it was seen confirmed. */
    const keep = (page: EsploraTx[]): number => {
      let added = 0;
      for (const tx of page) {
        if (!txs.has(tx.txid)) added++;
        if (tx.block !== null || !txs.has(tx.txid)) txs.set(tx.txid, tx);
      }
      return added;
    };
    const first = await this.txs(`${base}/txs`);
    keep(first);
    if (first.length >= PAGE) {
      let last = first.filter((tx) => tx.block !== null).at(-1)?.txid;
      for (;;) {
        const path = last === undefined ? `${base}/txs/chain` : `${base}/txs/chain/${last}`;
        const page = await this.txs(path);
        if (page.some((tx) => tx.block === null)) throw new ChainSourceError(`esplora: ${path} lists a mempool tx`);
        const added = keep(page);
        if (page.length < PAGE) break;
        if (added === 0) throw new ChainSourceError(`esplora: ${path} repeats txs already listed; paging is broken`);
        last = page.at(-1)!.txid;
      }
    }
    let mempoolFull = false;
    if (first.filter((tx) => tx.block === null).length >= PAGE) {
      const mempool = await this.txs(`${base}/txs/mempool`);
      keep(mempool);
      mempoolFull = mempool.length >= MEMPOOL_LIMIT;
    }

    const outputs = new Map<string, ObservedOutput>();
    const blocks = new Map<string, number>();
    const add = (txid: string, vout: number, valueSats: bigint, block: EsploraTx["block"]) => {
      outputs.set(`${txid}:${vout}`, { txid, vout, scriptPubKeyHex: script.scriptPubKeyHex, valueSats, block });
      if (block) blocks.set(block.hash, block.height);
    };
    for (const tx of txs.values()) {
      if (tx.block) blocks.set(tx.block.hash, tx.block.height);
      tx.outputs.forEach((out, vout) => {
        if (out.scriptPubKeyHex === wanted) add(tx.txid, vout, out.valueSats, tx.block);
      });
    }
    if (mempoolFull) {
      // No listing reaches the oldest of > 50 mempool txs (a dust flood, say); their unspent outputs
      // are still in /utxo. Only an output already spent by another mempool tx can stay hidden.
      const utxos = parseUtxoList(await this.client.json(`${base}/utxo`), `${base}/utxo`);
      for (const utxo of utxos) {
        if (!outputs.has(`${utxo.txid}:${utxo.vout}`)) add(utxo.txid, utxo.vout, utxo.valueSats, utxo.block);
      }
    }
    return { outputs: [...outputs.values()], blocks };
  }

  /**
   * True if every block the scan relied on is still on the best chain that `last` tops. Only blocks
   * above `first` need asking about, plus `first` itself when the tip moved: a best chain through
   * `first` holds all the lower ones.
   */
  private async onOneChain(first: ChainTip, last: ChainTip, blocks: Map<string, number>): Promise<boolean> {
    const toCheck = new Map<string, number>();
    for (const [hash, height] of blocks) {
      if (height > last.height) return false;
      if (height > first.height) toCheck.set(hash, height);
    }
    if (first.hash !== last.hash) toCheck.set(first.hash, first.height);
    const checks = await mapLimit([...toCheck], this.concurrency, async ([hash, height]) => {
      const status = parseBlockStatus(await this.client.json(`/block/${hash}/status`), `/block/${hash}/status`);
      return status.inBestChain && status.height === height;
    });
    return checks.every(Boolean);
  }

  private startPolling(): void {
    const tick = () => {
      this.pollTimer = undefined;
      this.polling = this.pollOnce().finally(() => {
        this.polling = undefined;
        if (this.listeners.size > 0 && !this.closing.signal.aborted) schedule();
      });
    };
    const schedule = () => {
      this.pollTimer = setTimeout(tick, this.pollIntervalMs);
      this.pollTimer.unref(); // a forgotten listener must not keep the process alive
    };
    if (this.pollTimer === undefined && this.polling === undefined) tick();
  }

  private stopPolling(): void {
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** One look at the tip hash; a change is a "block" hint. Failures are skipped: the next poll will tell. */
  private async pollOnce(): Promise<void> {
    let hash: string;
    try {
      hash = (await this.client.text("/blocks/tip/hash", { retryRateLimit: false })).trim();
    } catch {
      return;
    }
    if (!isHash(hash) || hash === this.lastTipHash) return;
    const known = this.lastTipHash !== undefined;
    this.lastTipHash = hash;
    if (!known) return; // the first look only sets the baseline
    for (const listener of [...this.listeners]) {
      try {
        listener({ kind: "block" });
      } catch {
        // A listener's bug must not stop the others or the polling.
      }
    }
  }

  private async txs(path: string): Promise<EsploraTx[]> {
    return parseTxList(await this.client.json(path), path);
  }
}

/**
 * `fn` over `items` with at most `limit` running at once; results in input order. After a failure no
 * new item starts, the running ones are waited for (nothing is left floating), and the first error is thrown.
 */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
