/**
 * ChainSource over the Electrum protocol (electrs, Fulcrum, ElectrumX).
 *
 * A snapshot re-subscribes every asked script: the answer is the script's current status, so a lost
 * notification can never leave a snapshot stale, and a script's history is fetched again only when
 * its status differs from the cached one's. Transactions are fetched once per txid (outputs never
 * change), block hashes come from headers. The tip is read before and after: if it moved (a block or
 * a reorg while asking), the answers may mix two chains and the snapshot starts over.
 */
import { createHash } from "node:crypto";
import { Transaction } from "bitcoinjs-lib";
import {
  type ChainHint,
  type ChainSnapshot,
  type ChainSource,
  ChainSourceError,
  type ChainTip,
  type ObservedOutput,
  type WatchedScript,
} from "./chain-source.js";
import {
  type ElectrumCall,
  ElectrumClient,
  type ElectrumClientOptions,
  ElectrumRpcError,
  ElectrumTransportError,
} from "./electrum-client.js";
import { scripthash } from "./scripthash.js";

export interface ElectrumSourceOptions extends ElectrumClientOptions {
  /** A script not asked for in this long is unsubscribed and its cached history dropped. */
  forgetAfterMs?: number;
  /** Parsed transactions kept, oldest dropped first. */
  maxCachedTxs?: number;
}

interface HistoryEntry {
  txid: string;
  /** > 0 confirmed; 0 or -1 (unconfirmed parents) in the mempool. */
  height: number;
}
interface Watched {
  scriptPubKeyHex: string;
  askedAt: number;
  history?: { status: string | null; entries: HistoryEntry[] };
}
interface TxOutput {
  scriptPubKeyHex: string;
  valueSats: bigint;
}

/** Below this depth a block hash is taken as final and cached; above it a reorg may replace it. */
const REORG_SAFE_DEPTH = 100;
const SNAPSHOT_ATTEMPTS = 3;
const HEX_HASH = /^[0-9a-f]{64}$/;

/** The chain moved while a snapshot was being read: read it again. */
class ChainMoved extends Error {}

export class ElectrumSource implements ChainSource {
  readonly kind = "electrum" as const;
  private readonly client: ElectrumClient;
  private readonly forgetAfterMs: number;
  private readonly maxCachedTxs: number;
  private readonly hintListeners = new Set<(hint: ChainHint) => void>();
  /** By scripthash. */
  private readonly watched = new Map<string, Watched>();
  private readonly txOutputs = new Map<string, TxOutput[]>();
  private readonly deepBlockHashes = new Map<number, string>();

  constructor(options: ElectrumSourceOptions) {
    this.client = new ElectrumClient(options);
    this.forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.maxCachedTxs = options.maxCachedTxs ?? 10_000;
    this.client.onNotification((method, params) => this.onNotification(method, params));
    // While it was away, anything may have happened and the server kept no notifications for us.
    this.client.onConnect(({ reconnected }) => reconnected && this.emit({ kind: "block" }));
    // Block hints from the start; the client re-subscribes after reconnects. A failure here only
    // delays hints: every snapshot subscribes again.
    this.client.request("blockchain.headers.subscribe").catch(() => {});
  }

  onHint(listener: (hint: ChainHint) => void): () => void {
    this.hintListeners.add(listener);
    return () => this.hintListeners.delete(listener);
  }

  async tip(): Promise<ChainTip> {
    try {
      const [header] = await this.all([{ method: "blockchain.headers.subscribe" }]);
      return parseTip(header);
    } catch (err) {
      throw asChainSourceError(err);
    }
  }

  async snapshot(scripts: readonly WatchedScript[]): Promise<ChainSnapshot> {
    const unique = [...new Set(scripts.map((s) => s.scriptPubKeyHex))];
    for (let attempt = 1; ; attempt++) {
      try {
        const snapshot = await this.read(unique);
        this.forget();
        return snapshot;
      } catch (err) {
        if (!(err instanceof ChainMoved)) throw asChainSourceError(err);
        if (attempt === SNAPSHOT_ATTEMPTS)
          throw new ChainSourceError("electrum: the chain kept moving during a snapshot");
      }
    }
  }

  async close(): Promise<void> {
    this.hintListeners.clear();
    await this.client.close();
  }

  private async read(scripts: string[]): Promise<ChainSnapshot> {
    const now = Date.now();
    const hashes = scripts.map((script) => {
      const sh = scripthash(script);
      this.watched.set(sh, { ...this.watched.get(sh), scriptPubKeyHex: script, askedAt: now });
      return sh;
    });

    const [tipAnswer, ...statuses] = await this.all([
      { method: "blockchain.headers.subscribe" },
      ...hashes.map((sh) => ({ method: "blockchain.scripthash.subscribe", params: [sh] })),
    ]);
    const before = parseTip(tipAnswer);

    const histories = new Map<string, HistoryEntry[]>();
    const stale: string[] = [];
    hashes.forEach((sh, i) => {
      const status = statuses[i];
      if (status !== null && typeof status !== "string") throw malformed("scripthash status", status);
      const cached = this.watched.get(sh)!.history;
      if (status === null) histories.set(sh, []);
      else if (cached?.status === status) histories.set(sh, cached.entries);
      else stale.push(sh);
    });
    const fetched = await this.all(stale.map((sh) => ({ method: "blockchain.scripthash.get_history", params: [sh] })));
    stale.forEach((sh, i) => {
      const entries = parseHistory(fetched[i]);
      // Keyed by the status of what came back, which may be newer than the status asked above.
      this.watched.get(sh)!.history = { status: electrumStatus(entries), entries };
      histories.set(sh, entries);
    });

    await this.fetchTransactions(histories);
    const blockHashes = await this.blockHashes(histories, before.height);

    const [tipAfter] = await this.all([{ method: "blockchain.headers.subscribe" }]);
    const tip = parseTip(tipAfter);
    if (tip.hash !== before.hash) throw new ChainMoved();

    const outputs = new Map<string, ObservedOutput[]>();
    scripts.forEach((script, i) => {
      const observed: ObservedOutput[] = [];
      for (const { txid, height } of histories.get(hashes[i]!)!) {
        const block = height > 0 ? { height, hash: blockHashes.get(height)! } : null;
        this.txOutputs.get(txid)!.forEach((out, vout) => {
          if (out.scriptPubKeyHex === script)
            observed.push({ txid, vout, scriptPubKeyHex: script, valueSats: out.valueSats, block });
        });
      }
      outputs.set(script, observed);
    });
    return { tip, outputs };
  }

  private async fetchTransactions(histories: Map<string, HistoryEntry[]>): Promise<void> {
    const mempool = new Set<string>();
    const missing = new Set<string>();
    for (const entries of histories.values()) {
      for (const { txid, height } of entries) {
        if (height <= 0) mempool.add(txid);
        if (!this.txOutputs.has(txid)) missing.add(txid);
      }
    }
    const txids = [...missing];
    const answers = await this.client.batch(
      txids.map((txid) => ({ method: "blockchain.transaction.get", params: [txid] })),
    );
    answers.forEach((answer, i) => {
      const txid = txids[i]!;
      if (answer.status === "rejected") {
        // A mempool transaction can be replaced between get_history and now.
        if (answer.reason instanceof ElectrumRpcError && mempool.has(txid)) throw new ChainMoved();
        throw answer.reason;
      }
      this.txOutputs.set(txid, parseOutputs(txid, answer.value));
    });
  }

  private async blockHashes(histories: Map<string, HistoryEntry[]>, tipHeight: number): Promise<Map<number, string>> {
    const result = new Map<number, string>();
    const needed: number[] = [];
    for (const entries of histories.values()) {
      for (const { height } of entries) {
        if (height <= 0 || result.has(height) || needed.includes(height)) continue;
        const deep = this.deepBlockHashes.get(height);
        if (deep) result.set(height, deep);
        else needed.push(height);
      }
    }
    const headers = await this.all(needed.map((height) => ({ method: "blockchain.block.header", params: [height] })));
    needed.forEach((height, i) => {
      const hash = headerHash(headers[i]);
      result.set(height, hash);
      if (height <= tipHeight - REORG_SAFE_DEPTH) this.deepBlockHashes.set(height, hash);
    });
    return result;
  }

  /** Unsubscribes scripts nobody asked for lately and bounds the transaction cache. */
  private forget(): void {
    const cutoff = Date.now() - this.forgetAfterMs;
    for (const [sh, watched] of this.watched) {
      if (watched.askedAt >= cutoff) continue;
      this.watched.delete(sh);
      // Not every server has unsubscribe (it is 1.4.2); a failure only costs a useless notification.
      this.client.request("blockchain.scripthash.unsubscribe", [sh]).catch(() => {});
    }
    for (const txid of this.txOutputs.keys()) {
      if (this.txOutputs.size <= this.maxCachedTxs) break;
      this.txOutputs.delete(txid);
    }
  }

  /** Sends the calls together; the first failure fails them all. */
  private async all(calls: ElectrumCall[]): Promise<unknown[]> {
    const answers = await this.client.batch(calls);
    return answers.map((answer) => {
      if (answer.status === "rejected") throw answer.reason;
      return answer.value;
    });
  }

  private onNotification(method: string, params: unknown[]): void {
    if (method === "blockchain.headers.subscribe") {
      const height = (params[0] as { height?: unknown } | undefined)?.height;
      this.emit(Number.isSafeInteger(height) ? { kind: "block", height: height as number } : { kind: "block" });
    } else if (method === "blockchain.scripthash.subscribe") {
      const watched = typeof params[0] === "string" ? this.watched.get(params[0]) : undefined;
      if (watched) this.emit({ kind: "script", scriptPubKeyHex: watched.scriptPubKeyHex });
    }
  }

  private emit(hint: ChainHint): void {
    for (const listener of this.hintListeners) listener(hint);
  }
}

function asChainSourceError(err: unknown): unknown {
  if (err instanceof ElectrumRpcError || err instanceof ElectrumTransportError) {
    return new ChainSourceError(`electrum: ${err.message}`);
  }
  return err;
}

function parseTip(answer: unknown): ChainTip {
  const { height } = (answer ?? {}) as { height?: unknown };
  if (!Number.isSafeInteger(height)) throw malformed("tip", answer);
  return { height: height as number, hash: headerHash((answer as { hex?: unknown }).hex) };
}

const malformed = (what: string, value: unknown) =>
  new ChainSourceError(`electrum: malformed ${what}: ${JSON.stringify(value)?.slice(0, 200)}`);

/** Block hash of an 80-byte header: double sha256, in display (reversed) byte order. */
function headerHash(hex: unknown): string {
  if (typeof hex !== "string" || !/^[0-9a-fA-F]{160}$/.test(hex)) throw malformed("block header", hex);
  const once = createHash("sha256").update(Buffer.from(hex, "hex")).digest();
  return createHash("sha256").update(once).digest().reverse().toString("hex");
}

function parseHistory(answer: unknown): HistoryEntry[] {
  if (!Array.isArray(answer)) throw malformed("history", answer);
  return answer.map((item) => {
    const { tx_hash, height } = (item ?? {}) as { tx_hash?: unknown; height?: unknown };
    if (typeof tx_hash !== "string" || !HEX_HASH.test(tx_hash) || !Number.isSafeInteger(height)) {
      throw malformed("history entry", item);
    }
    return { txid: tx_hash, height: height as number };
  });
}

/** The Electrum status of a history: sha256 of "txid:height:" for each entry, in order. */
function electrumStatus(entries: HistoryEntry[]): string | null {
  if (entries.length === 0) return null;
  const text = entries.map((e) => `${e.txid}:${e.height}:`).join("");
  return createHash("sha256").update(text).digest("hex");
}

function parseOutputs(txid: string, hex: unknown): TxOutput[] {
  let tx: Transaction;
  try {
    tx = Transaction.fromHex(String(hex));
  } catch {
    throw malformed(`transaction ${txid}`, hex);
  }
  // A server answering with some other transaction would credit the wrong payment.
  if (tx.getId() !== txid) throw new ChainSourceError(`electrum: asked for ${txid}, got ${tx.getId()}`);
  return tx.outs.map((out) => ({ scriptPubKeyHex: Buffer.from(out.script).toString("hex"), valueSats: out.value }));
}
