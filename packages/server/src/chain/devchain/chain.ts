/**
 * The devchain itself: a regtest block tree with its best chain, UTXO set, mempool and wallet
 * (see types.ts for the contract the wire servers code against). Every public mutation runs
 * through `mutate`, which emits the events it queued once the state is consistent and then lets
 * the persistence layer know.
 */
import { address as addressCodec, Block, networks, Transaction } from "bitcoinjs-lib";
import { ActiveChain } from "./active-chain.js";
import { buildBlock } from "./block-builder.js";
import { BlockTree } from "./block-tree.js";
import type { Coin } from "./coins.js";
import { REGTEST_GENESIS_HEX, subsidySats } from "./consensus.js";
import { estimateFeeRate } from "./fee-estimate.js";
import { idFromHash, toHex } from "./hex.js";
import { Mempool, type MempoolTx } from "./mempool.js";
import { checkForMempool } from "./mempool-accept.js";
import { ChainFile, type PersistedChain } from "./persist.js";
import { INCREMENTAL_RELAY_SAT_VB } from "./replacement.js";
import {
  type DevBlock,
  type DevChain,
  DevChainError,
  type DevChainEvent,
  type DevChainFaults,
  type DevHistoryEntry,
  type DevMempoolEntry,
  type DevTx,
  type DevTxOut,
  type DevUtxo,
} from "./types.js";
import { DevWallet, SEQUENCE_RBF } from "./wallet.js";
import { spendableWalletCoins } from "./wallet-coins.js";

export interface DevChainOptions {
  /** Keep blocks, mempool and wallet indexes in this JSON file (reloaded on start). */
  dataFile?: string;
  /** Blocks mined to the wallet on a fresh chain, so it can spend at once (101 = one mature coinbase). */
  premine?: number;
  /** Clock in unix seconds (tests may pin it). */
  now?: () => number;
}

const RPC_INVALID_ADDRESS_OR_KEY = -5;
const RPC_INVALID_PARAMETER = -8;
const RPC_TYPE_ERROR = -3;
const RPC_WALLET_ERROR = -4;
const RPC_WALLET_INSUFFICIENT_FUNDS = -6;
const RPC_DESERIALIZATION_ERROR = -22;
const DEFAULT_WALLET_FEE_RATE_SAT_VB = 2;

export function createDevChain(opts: DevChainOptions = {}): DevChainImpl {
  return new DevChainImpl(opts);
}

export class DevChainImpl implements DevChain {
  readonly network = networks.regtest;
  readonly faults: DevChainFaults = { dropNotifications: false, rateLimited: false, lagMs: 0 };
  readonly wallet: DevWallet;
  private readonly tree = new BlockTree();
  private readonly active = new ActiveChain();
  private readonly mempool = new Mempool();
  private readonly listeners = new Set<(event: DevChainEvent) => void>();
  private readonly file: ChainFile | undefined;
  private readonly now: () => number;
  private pending: DevChainEvent[] = [];

  constructor(opts: DevChainOptions = {}) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.file = opts.dataFile ? new ChainFile(opts.dataFile) : undefined;
    const saved = this.file?.load();
    this.wallet = new DevWallet(this.network, saved?.wallet);
    this.connect(this.tree.add(Block.fromHex(REGTEST_GENESIS_HEX), 0));
    if (saved) this.restore(saved);
    else if ((opts.premine ?? 101) > 0) this.generateToAddress(opts.premine ?? 101, this.wallet.newAddress());
    this.pending = [];
    this.file?.save(this.snapshot());
  }

  // ---- reading ----

  tip(): DevBlock {
    return this.active.tip();
  }

  blockByHash(hash: string): DevBlock | undefined {
    return this.tree.get(hash);
  }

  blockAtHeight(height: number): DevBlock | undefined {
    return this.active.at(height);
  }

  isInBestChain(hash: string): boolean {
    return this.active.contains(this.tree.get(hash));
  }

  confirmations(hash: string): number {
    const block = this.tree.get(hash);
    return block && this.isInBestChain(hash) ? this.tip().height - block.height + 1 : -1;
  }

  /** Median of the last 11 block times (BIP113), as Core's `mediantime`. */
  medianTimePast(hash = this.tip().hash): number {
    const times: number[] = [];
    for (let b = this.tree.get(hash); b && times.length < 11; b = this.tree.get(b.prevHash)) times.push(b.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  /** Whether the block or one of its ancestors was invalidated. */
  isInvalid(hash: string): boolean {
    return this.tree.has(hash) && !this.tree.isValid(hash);
  }

  getTx(txid: string): DevTx | undefined {
    const entry = this.mempool.get(txid);
    if (entry) return { txid, tx: entry.tx, hex: entry.tx.toHex(), block: null };
    const at = this.active.locate(txid);
    if (!at) return undefined;
    const tx = at.block.block.transactions![at.index]!;
    const { hash, height, time } = at.block;
    return { txid, tx, hex: tx.toHex(), block: { hash, height, time, index: at.index } };
  }

  mempoolTxids(): string[] {
    return this.mempool.sorted().map((e) => e.txid);
  }

  mempoolEntry(txid: string): DevMempoolEntry | undefined {
    const entry = this.mempool.get(txid);
    if (!entry) return undefined;
    return {
      txid,
      feeSats: entry.feeSats,
      vsize: entry.vsize,
      time: entry.time,
      depends: this.mempool.parents(txid),
      bip125Replaceable: [txid, ...this.mempool.ancestors(txid)].some((id) =>
        this.mempool.get(id)!.tx.ins.some((input) => input.sequence <= SEQUENCE_RBF),
      ),
    };
  }

  /** The raw mempool record (fees, weight, spent coins) for the RPC layer. */
  mempoolTx(txid: string): MempoolTx | undefined {
    return this.mempool.get(txid);
  }

  /** In-mempool ancestors / descendants / children of a mempool transaction. */
  mempoolRelatives(txid: string): { ancestors: string[]; descendants: string[]; spentBy: string[] } {
    return {
      ancestors: this.mempool.ancestors(txid),
      descendants: this.mempool.descendants(txid),
      spentBy: this.mempool.children(txid),
    };
  }

  /** The coins a mempool or best-chain transaction spent (block undo data), one per input. */
  spentCoins(txid: string): Coin[] | undefined {
    return this.mempool.get(txid)?.spent ?? this.active.spentBy(txid);
  }

  getTxOut(txid: string, vout: number, includeMempool: boolean): DevTxOut | undefined {
    const bestBlockHash = this.tip().hash;
    const confirmed = this.active.utxos.coin(txid, vout);
    if (confirmed) {
      if (includeMempool && this.mempool.spender(txid, vout)) return undefined;
      const confirmations = this.tip().height - confirmed.height + 1;
      return { ...describe(confirmed), confirmations, bestBlockHash };
    }
    if (!includeMempool || this.mempool.spender(txid, vout)) return undefined;
    const unconfirmed = this.mempool.output(txid, vout);
    return unconfirmed && { ...describe(unconfirmed), confirmations: 0, bestBlockHash };
  }

  scriptHistory(scriptPubKeyHex: string): DevHistoryEntry[] {
    const confirmed = this.active
      .history(scriptPubKeyHex)
      .map(({ txid, block }): DevHistoryEntry => ({ txid, height: block.height }));
    const unconfirmed = this.mempool
      .sorted()
      .filter((e) => touches(e, scriptPubKeyHex))
      .map((e): DevHistoryEntry => ({ txid: e.txid, height: 0, feeSats: e.feeSats }));
    return [...confirmed, ...unconfirmed];
  }

  scriptUtxos(scriptPubKeyHex: string): DevUtxo[] {
    const out: DevUtxo[] = [];
    for (const { txid, height } of this.scriptHistory(scriptPubKeyHex)) {
      this.getTx(txid)!.tx.outs.forEach((o, vout) => {
        if (toHex(o.script) !== scriptPubKeyHex || this.mempool.spender(txid, vout)) return;
        if (height > 0 && !this.active.utxos.coin(txid, vout)) return;
        out.push({ txid, vout, valueSats: o.value, height });
      });
    }
    return out;
  }

  estimateFeeRate(targetBlocks: number): number {
    return estimateFeeRate(this.mempool.values(), targetBlocks);
  }

  walletBalance(): bigint {
    return spendableWalletCoins(this.wallet, this.active, this.mempool).reduce((sum, c) => sum + c.valueSats, 0n);
  }

  subscribe(listener: (event: DevChainEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- mutating ----

  sendRawTransaction(hex: string): string {
    let tx: Transaction;
    try {
      tx = Transaction.fromHex(hex);
      if (tx.ins.length === 0) throw new Error("no inputs");
    } catch {
      throw new DevChainError(RPC_DESERIALIZATION_ERROR, "TX decode failed. Make sure the tx has at least one input.");
    }
    return this.mutate(() => this.accept(tx).txid);
  }

  getNewAddress(): string {
    return this.mutate(() => this.wallet.newAddress());
  }

  sendToAddress(address: string, amountSats: bigint, opts: { feeRateSatVb?: number } = {}): string {
    const script = this.outputScript(address, "Invalid address");
    if (amountSats <= 0n) throw new DevChainError(RPC_TYPE_ERROR, "Invalid amount for send");
    const feeRateSatVb = this.walletFeeRate(opts.feeRateSatVb);
    return this.mutate(() => {
      const tx = this.wallet.fund({
        outputs: [{ script, valueSats: amountSats }],
        available: spendableWalletCoins(this.wallet, this.active, this.mempool),
        feeRateSatVb,
        locktime: this.tip().height,
      });
      return this.accept(tx).txid;
    });
  }

  bumpFee(txid: string, opts: { feeRateSatVb?: number } = {}): { txid: string; origFeeSats: bigint; feeSats: bigint } {
    const old = this.mempool.get(txid);
    if (!old) {
      if (this.active.locate(txid)) {
        throw new DevChainError(
          RPC_WALLET_ERROR,
          "Transaction has been mined, or is conflicted with a mined transaction",
        );
      }
      throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Invalid or non-wallet transaction id");
    }
    if (!old.spent.every((c) => this.wallet.isMine(c.scriptHex))) {
      throw new DevChainError(RPC_WALLET_ERROR, "Transaction contains inputs that don't belong to this wallet");
    }
    if (this.mempool.children(txid).length > 0) {
      throw new DevChainError(RPC_WALLET_ERROR, "Transaction has descendants in the wallet");
    }
    const oldRate = Number(old.feeSats) / old.vsize;
    const feeRateSatVb = opts.feeRateSatVb ?? Math.max(oldRate + 1, this.estimateFeeRate(6));
    return this.mutate(() => {
      const tx = this.wallet.fund({
        outputs: old.tx.outs
          .filter((o) => !this.wallet.isChange(toHex(o.script)))
          .map((o) => ({ script: o.script, valueSats: o.value })),
        required: old.spent,
        available: spendableWalletCoins(this.wallet, this.active, this.mempool, new Set([txid])),
        feeRateSatVb,
        minFeeSats: old.feeSats + INCREMENTAL_RELAY_SAT_VB * BigInt(old.vsize),
        locktime: old.tx.locktime,
      });
      const entry = this.accept(tx);
      return { txid: entry.txid, origFeeSats: old.feeSats, feeSats: entry.feeSats };
    });
  }

  generateToAddress(count: number, address: string): string[] {
    const payout = this.outputScript(address, "Error: Invalid address");
    return this.mutate(() => {
      const hashes: string[] = [];
      for (let i = 0; i < count; i++) hashes.push(this.mine(this.mempool.sorted(), [], payout).hash);
      return hashes;
    });
  }

  /**
   * Mines one block holding only these mempool transactions (and their mempool ancestors) plus
   * `rawTxs`, transactions that need not be in the mempool (e.g. a double spend of a mempool
   * transaction: the mempool one is then evicted as a conflict). Returns the block hash.
   */
  mineBlockWith(txids: string[], address: string, rawTxs: string[] = []): string {
    const payout = this.outputScript(address, "Error: Invalid address");
    const wanted = new Set<string>();
    for (const txid of txids) {
      if (!this.mempool.get(txid)) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Transaction not in mempool");
      wanted.add(txid);
      for (const ancestor of this.mempool.ancestors(txid)) wanted.add(ancestor);
    }
    const extra = rawTxs.map((hex) => Transaction.fromHex(hex));
    return this.mutate(() => this.mine(this.mempool.sorted(wanted), extra, payout).hash);
  }

  /** Drops a transaction and its descendants from the mempool (events: tx-removed "conflict"). */
  removeFromMempool(txid: string): string[] {
    return this.mutate(() => this.evict(txid, "conflict"));
  }

  invalidateBlock(hash: string): void {
    const block = this.tree.get(hash);
    if (!block) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    if (block.height === 0) throw new DevChainError(RPC_INVALID_PARAMETER, "The genesis block cannot be invalidated");
    this.mutate(() => {
      this.tree.markInvalid(hash);
      if (this.isInBestChain(hash)) this.reorganize();
    });
  }

  reconsiderBlock(hash: string): void {
    if (!this.tree.has(hash)) throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    this.mutate(() => {
      this.tree.clearInvalid(hash);
      this.reorganize();
    });
  }

  /**
   * Everything mempool acceptance checks, without changing anything (Core's test_accept): answers
   * the fee, or throws Core's error. sendrawtransaction uses it to apply maxfeerate after validation.
   */
  testMempoolAccept(tx: Transaction): { txid: string; feeSats: bigint; vsize: number } {
    const { txid, feeSats, vsize } = this.checkForMempool(tx, {});
    return { txid, feeSats, vsize };
  }

  /** Writes any pending change to the data file now. */
  flush(): void {
    this.file?.flush();
  }

  /** Flushes and stops the persistence timer. The chain stays readable. */
  close(): void {
    this.file?.close();
  }

  // ---- internals ----

  private mutate<T>(change: () => T): T {
    try {
      return change();
    } finally {
      const events = this.pending;
      this.pending = [];
      for (const event of events) {
        for (const listener of [...this.listeners]) {
          try {
            listener(event);
          } catch (err) {
            // A broken listener must not corrupt the chain or starve the other listeners.
            console.error(JSON.stringify({ msg: "devchain listener threw", err: String(err) }));
          }
        }
      }
      this.file?.schedule(() => this.snapshot());
    }
  }

  private walletFeeRate(requested: number | undefined): number {
    const rate = requested ?? DEFAULT_WALLET_FEE_RATE_SAT_VB;
    if (!(rate >= Number(INCREMENTAL_RELAY_SAT_VB))) {
      throw new DevChainError(
        RPC_WALLET_INSUFFICIENT_FUNDS,
        `Fee rate (${rate.toFixed(3)} sat/vB) is lower than the minimum fee rate setting (1.000 sat/vB)`,
      );
    }
    return rate;
  }

  private outputScript(address: string, message: string): Uint8Array {
    try {
      return addressCodec.toOutputScript(address, this.network);
    } catch {
      throw new DevChainError(RPC_INVALID_ADDRESS_OR_KEY, message);
    }
  }

  private checkForMempool(tx: Transaction, opts: { reorg?: boolean }) {
    return checkForMempool(tx, this.active, this.mempool, { ...opts, medianTimePast: this.medianTimePast() });
  }

  /** Mempool acceptance: consensus checks, relay fee, full-RBF replacement of conflicts. */
  private accept(tx: Transaction, opts: { time?: number; reorg?: boolean; quiet?: boolean } = {}): MempoolTx {
    const existing = this.mempool.get(tx.getId());
    if (existing) return existing; // Core answers the txid again for a transaction it already has
    const { txid, feeSats, spent, vsize, conflictIds } = this.checkForMempool(tx, opts);
    for (const id of conflictIds) this.evict(id, "replaced");
    const entry: MempoolTx = {
      txid,
      wtxid: idFromHash(tx.getHash(true)),
      tx,
      feeSats,
      vsize,
      weight: tx.weight(),
      time: opts.time ?? this.now(),
      height: this.tip().height,
      spent,
    };
    this.mempool.add(entry);
    if (!opts.quiet) this.pending.push({ type: "tx", txid, tx });
    return entry;
  }

  private evict(txid: string, reason: "replaced" | "conflict"): string[] {
    const removed = this.mempool.deleteWithDescendants(txid);
    for (const id of removed) this.pending.push({ type: "tx-removed", txid: id, reason });
    return removed;
  }

  /** Builds, stores and connects a block on the tip; `txs` must be valid there in this order. */
  private mine(entries: MempoolTx[], extra: Transaction[], payout: Uint8Array): DevBlock {
    const tip = this.tip();
    const height = tip.height + 1;
    const txs = [...entries.map((e) => e.tx), ...extra];
    const feesSats = this.active.checkNextBlockTxs(txs, this.medianTimePast());
    const block = buildBlock(
      {
        prevHash: tip.hash,
        height,
        time: Math.max(this.now(), tip.time + 1),
        txs,
        payoutScript: payout,
        coinbaseValueSats: subsidySats(height) + feesSats,
      },
      (hash) => this.tree.has(hash),
    );
    const dev = this.tree.add(block, height);
    this.connect(dev);
    return dev;
  }

  /** Appends a block to the best chain; the mempool loses what it confirms and what conflicts with it. */
  private connect(block: DevBlock): void {
    this.active.connect(block);
    block.block.transactions!.forEach((tx, index) => {
      if (index === 0) return;
      this.mempool.delete(block.txids[index]!);
      for (const input of tx.ins) {
        const spender = this.mempool.spender(idFromHash(input.hash), input.index);
        if (spender) this.evict(spender, "conflict");
      }
    });
    this.pending.push({ type: "block", block });
  }

  /**
   * Moves the best chain to the best valid tip. Transactions of disconnected blocks go back to
   * the mempool (with the mempool's own, re-checked against the new chain): those that no longer
   * fit are dropped, Core's `removeForReorg`.
   */
  private reorganize(): void {
    const saved = this.mempool.sorted();
    this.mempool.clear();
    const target = this.tree.bestTip(this.tip());
    const path: DevBlock[] = [];
    let fork = target;
    while (!this.isInBestChain(fork.hash)) {
      path.unshift(fork);
      fork = this.tree.get(fork.prevHash)!;
    }
    const disconnected: DevBlock[] = [];
    while (this.tip().hash !== fork.hash) disconnected.push(this.active.disconnectTip());
    if (disconnected.length > 0) {
      this.pending.push({ type: "reorg", disconnected: disconnected.map((b) => b.hash), tip: fork });
    }
    for (const block of path) this.connect(block);
    for (const block of [...disconnected].reverse()) {
      for (const tx of block.block.transactions!.slice(1)) this.tryAccept(tx, { reorg: true });
    }
    for (const entry of saved) {
      if (
        !this.tryAccept(entry.tx, { reorg: true, quiet: true, time: entry.time }) &&
        !this.active.locate(entry.txid)
      ) {
        this.pending.push({ type: "tx-removed", txid: entry.txid, reason: "conflict" });
      }
    }
  }

  private tryAccept(tx: Transaction, opts: { time?: number; reorg?: boolean; quiet?: boolean }): boolean {
    try {
      this.accept(tx, opts);
      return true;
    } catch (err) {
      if (err instanceof DevChainError) return false;
      throw err;
    }
  }

  private restore(saved: PersistedChain): void {
    for (const hex of saved.blocks) {
      const block = Block.fromHex(hex);
      const parent = this.tree.get(idFromHash(block.prevHash!));
      if (!parent) throw new Error(`devchain data file: block ${block.getId()} comes before its parent`);
      this.tree.add(block, parent.height + 1);
    }
    for (const hash of saved.invalid) this.tree.markInvalid(hash);
    // Reconnect the saved best chain (ties between equal chains must not flip on restart), then
    // let the usual rule confirm it.
    const path: DevBlock[] = [];
    for (let b = this.tree.get(saved.tip); b && b.height > 0; b = this.tree.get(b.prevHash)) path.unshift(b);
    for (const block of path) this.connect(block);
    this.reorganize();
    for (const { hex, time } of saved.mempool) this.tryAccept(Transaction.fromHex(hex), { time, reorg: true });
  }

  private snapshot(): PersistedChain {
    return {
      version: 1,
      blocks: this.tree
        .inArrivalOrder()
        .filter((b) => b.height > 0)
        .map((b) => b.block.toHex()),
      tip: this.tip().hash,
      invalid: this.tree.invalidHashes(),
      mempool: this.mempool.sorted().map((e) => ({ hex: e.tx.toHex(), time: e.time })),
      wallet: this.wallet.indexes,
    };
  }
}

function describe(coin: Coin): Pick<DevTxOut, "valueSats" | "scriptPubKeyHex" | "coinbase"> {
  return { valueSats: coin.valueSats, scriptPubKeyHex: coin.scriptHex, coinbase: coin.coinbase };
}

function touches(entry: MempoolTx, scriptHex: string): boolean {
  return entry.spent.some((c) => c.scriptHex === scriptHex) || entry.tx.outs.some((o) => toHex(o.script) === scriptHex);
}
