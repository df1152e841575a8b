/**
 * The devchain itself: a regtest block tree with its best chain, UTXO set, mempool and wallet
 * (see types.ts for the contract the wire servers code against). Every public mutation runs
 * through `mutate`, which emits the events it queued once the state is consistent and then lets
 * the persistence layer know.
 */
import { address as addressCodec, Block, networks, Transaction } from "bitcoinjs-lib";
import { buildBlock } from "./block-builder.js";
import { BlockTree } from "./block-tree.js";
import { type Coin, type CoinView, coinsOf, outpointKey, UtxoSet } from "./coins.js";
import { COINBASE_MATURITY, REGTEST_GENESIS_HEX, subsidySats } from "./consensus.js";
import { estimateFeeRate } from "./fee-estimate.js";
import { idFromHash, toHex } from "./hex.js";
import { Mempool, type MempoolTx } from "./mempool.js";
import { ChainFile, type PersistedChain } from "./persist.js";
import { checkReplacement, INCREMENTAL_RELAY_SAT_VB } from "./replacement.js";
import { checkTransaction, rejected } from "./tx-validation.js";
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
const RPC_VERIFY_ALREADY_IN_CHAIN = -27;
const RPC_TYPE_ERROR = -3;
const RPC_WALLET_ERROR = -4;
const DEFAULT_WALLET_FEE_RATE_SAT_VB = 2;

interface TxLocation {
  block: DevBlock;
  index: number;
}

export function createDevChain(opts: DevChainOptions = {}): DevChainImpl {
  return new DevChainImpl(opts);
}

export class DevChainImpl implements DevChain {
  readonly network = networks.regtest;
  readonly faults: DevChainFaults = { dropNotifications: false, rateLimited: false, lagMs: 0 };
  readonly wallet: DevWallet;
  private readonly tree = new BlockTree();
  private readonly best: DevBlock[] = [];
  private readonly undo = new Map<string, Coin[][]>();
  private readonly utxos = new UtxoSet();
  private readonly txIndex = new Map<string, TxLocation>();
  private readonly scriptIndex = new Map<string, Set<string>>();
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
    return this.best[this.best.length - 1]!;
  }

  blockByHash(hash: string): DevBlock | undefined {
    return this.tree.get(hash);
  }

  blockAtHeight(height: number): DevBlock | undefined {
    return this.best[height];
  }

  isInBestChain(hash: string): boolean {
    const block = this.tree.get(hash);
    return block !== undefined && this.best[block.height]?.hash === hash;
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
    const at = this.txIndex.get(txid);
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

  /** The coins a best-chain transaction spent (from the block's undo data), one per input. */
  spentCoins(txid: string): Coin[] | undefined {
    const entry = this.mempool.get(txid);
    if (entry) return entry.spent;
    const at = this.txIndex.get(txid);
    return at && this.undo.get(at.block.hash)?.[at.index];
  }

  getTxOut(txid: string, vout: number, includeMempool: boolean): DevTxOut | undefined {
    const bestBlockHash = this.tip().hash;
    const confirmed = this.utxos.coin(txid, vout);
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
    const confirmed = [...(this.scriptIndex.get(scriptPubKeyHex) ?? [])]
      .map((txid) => ({ txid, at: this.txIndex.get(txid)! }))
      .sort((a, b) => a.at.block.height - b.at.block.height || a.at.index - b.at.index)
      .map(({ txid, at }): DevHistoryEntry => ({ txid, height: at.block.height }));
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
        if (height > 0 && !this.utxos.coin(txid, vout)) return;
        out.push({ txid, vout, valueSats: o.value, height });
      });
    }
    return out;
  }

  estimateFeeRate(targetBlocks: number): number {
    return estimateFeeRate(this.mempool.values(), targetBlocks);
  }

  walletBalance(): bigint {
    return this.walletCoins().reduce((sum, c) => sum + c.valueSats, 0n);
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
      throw new DevChainError(-22, "TX decode failed. Make sure the tx has at least one input.");
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
        available: this.walletCoins(),
        feeRateSatVb,
        locktime: this.tip().height,
      });
      return this.accept(tx).txid;
    });
  }

  bumpFee(txid: string, opts: { feeRateSatVb?: number } = {}): { txid: string; origFeeSats: bigint; feeSats: bigint } {
    const old = this.mempool.get(txid);
    if (!old) {
      if (this.txIndex.has(txid)) {
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
        available: this.walletCoins(new Set([txid])),
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
        -6,
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

  /** Coins the wallet may spend: mature and confirmed, or change of its own mempool transactions. */
  private walletCoins(excludeTxids = new Set<string>()): Coin[] {
    const tipHeight = this.tip().height;
    const confirmed: Coin[] = [];
    for (const coin of this.utxos.values()) {
      if (!this.wallet.isMine(coin.scriptHex) || this.mempool.spender(coin.txid, coin.vout)) continue;
      // Core's wallet waits one block longer than consensus: depth 101 for a coinbase.
      if (coin.coinbase && tipHeight - coin.height + 1 <= COINBASE_MATURITY) continue;
      confirmed.push(coin);
    }
    confirmed.sort((a, b) => (b.valueSats > a.valueSats ? 1 : b.valueSats < a.valueSats ? -1 : 0));
    const unconfirmed: Coin[] = [];
    for (const entry of this.mempool.sorted()) {
      if (excludeTxids.has(entry.txid) || !entry.spent.every((c) => this.wallet.isMine(c.scriptHex))) continue;
      for (const coin of coinsOf(entry.tx, entry.txid, 0)) {
        if (this.wallet.isMine(coin.scriptHex) && !this.mempool.spender(coin.txid, coin.vout)) unconfirmed.push(coin);
      }
    }
    return [...confirmed, ...unconfirmed];
  }

  /**
   * Everything mempool acceptance checks, without changing anything (Core's test_accept): answers
   * the fee, or throws Core's error. sendrawtransaction uses it to apply maxfeerate after validation.
   */
  testMempoolAccept(tx: Transaction): { txid: string; feeSats: bigint; vsize: number } {
    const { txid, feeSats, vsize } = this.checkForMempool(tx, {});
    return { txid, feeSats, vsize };
  }

  private checkForMempool(tx: Transaction, opts: { reorg?: boolean }) {
    const txid = tx.getId();
    if (this.txIndex.has(txid))
      throw new DevChainError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
    const conflictIds = new Set<string>();
    for (const input of tx.ins) {
      const spender = this.mempool.spender(idFromHash(input.hash), input.index);
      if (spender && spender !== txid) conflictIds.add(spender);
    }
    if (opts.reorg && conflictIds.size > 0) throw rejected("txn-mempool-conflict");
    const evictedIds = new Set<string>();
    for (const id of conflictIds) for (const e of [id, ...this.mempool.descendants(id)]) evictedIds.add(e);
    if (tx.ins.some((input) => evictedIds.has(idFromHash(input.hash))))
      throw rejected("bad-txns-spends-conflicting-tx");

    const view: CoinView = { coin: (id, vout) => this.utxos.coin(id, vout) ?? this.mempool.output(id, vout) };
    const spendHeight = this.tip().height + 1;
    const checked = checkTransaction(tx, view, { spendHeight, medianTimePast: this.medianTimePast() });
    const vsize = tx.virtualSize();
    if (!opts.reorg) {
      const minFee = INCREMENTAL_RELAY_SAT_VB * BigInt(vsize);
      if (checked.feeSats < minFee) throw rejected(`min relay fee not met, ${checked.feeSats} < ${minFee}`);
      if (conflictIds.size > 0) {
        const conflicts = [...conflictIds].map((id) => this.mempool.get(id)!);
        const evicted = [...evictedIds].map((id) => this.mempool.get(id)!);
        checkReplacement(txid, checked.feeSats, vsize, conflicts, evicted);
      }
    }
    return { txid, feeSats: checked.feeSats, spent: checked.spent, vsize, conflictIds };
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
    const feesSats = this.checkBlockTxs(txs, height);
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

  /** Validates the transactions of a block in order; returns their total fee. */
  private checkBlockTxs(txs: Transaction[], height: number): bigint {
    const created = new Map<string, Coin>();
    const spent = new Set<string>();
    const view: CoinView = {
      coin: (txid, vout) => {
        const key = outpointKey(txid, vout);
        return spent.has(key) ? undefined : (created.get(key) ?? this.utxos.coin(txid, vout));
      },
    };
    const ctx = { spendHeight: height, medianTimePast: this.medianTimePast() };
    let fees = 0n;
    for (const tx of txs) {
      const txid = tx.getId();
      if (this.txIndex.has(txid))
        throw new DevChainError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
      fees += checkTransaction(tx, view, ctx).feeSats;
      for (const input of tx.ins) spent.add(outpointKey(idFromHash(input.hash), input.index));
      for (const coin of coinsOf(tx, txid, height)) created.set(outpointKey(txid, coin.vout), coin);
    }
    return fees;
  }

  /** Appends a block to the best chain: UTXOs, indexes, and the mempool loses what it confirms. */
  private connect(block: DevBlock): void {
    const txs = block.block.transactions!;
    const undo = txs.map((tx, index) => {
      const txid = block.txids[index]!;
      // The genesis coinbase is not in Core's UTXO set: it can never be spent.
      const spent = block.height === 0 ? [] : this.utxos.apply(tx, txid, block.height);
      this.txIndex.set(txid, { block, index });
      this.indexScripts(txid, tx, spent, true);
      return spent;
    });
    this.undo.set(block.hash, undo);
    this.best.push(block);
    txs.forEach((tx, index) => {
      if (index === 0) return;
      this.mempool.delete(block.txids[index]!);
      for (const input of tx.ins) {
        const spender = this.mempool.spender(idFromHash(input.hash), input.index);
        if (spender) this.evict(spender, "conflict");
      }
    });
    this.pending.push({ type: "block", block });
  }

  private disconnectTip(): DevBlock {
    const block = this.best.pop()!;
    const undo = this.undo.get(block.hash)!;
    const txs = block.block.transactions!;
    for (let index = txs.length - 1; index >= 0; index--) {
      const txid = block.txids[index]!;
      this.utxos.revert(txs[index]!, txid, undo[index]!);
      this.txIndex.delete(txid);
      this.indexScripts(txid, txs[index]!, undo[index]!, false);
    }
    this.undo.delete(block.hash);
    return block;
  }

  private indexScripts(txid: string, tx: Transaction, spent: Coin[], add: boolean): void {
    const scripts = new Set([...tx.outs.map((o) => toHex(o.script)), ...spent.map((c) => c.scriptHex)]);
    for (const script of scripts) {
      let txids = this.scriptIndex.get(script);
      if (!txids) {
        txids = new Set();
        this.scriptIndex.set(script, txids);
      }
      if (add) txids.add(txid);
      else txids.delete(txid);
    }
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
    while (this.tip().hash !== fork.hash) disconnected.push(this.disconnectTip());
    if (disconnected.length > 0) {
      this.pending.push({ type: "reorg", disconnected: disconnected.map((b) => b.hash), tip: fork });
    }
    for (const block of path) this.connect(block);
    for (const block of [...disconnected].reverse()) {
      for (const tx of block.block.transactions!.slice(1)) this.tryAccept(tx, { reorg: true });
    }
    for (const entry of saved) {
      if (!this.tryAccept(entry.tx, { reorg: true, quiet: true, time: entry.time }) && !this.txIndex.has(entry.txid)) {
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
