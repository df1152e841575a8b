import type { Block, Network, Transaction } from "bitcoinjs-lib";

/**
 * devchain: a regtest chain inside the project (see docs/devchain.md). `DevChain` is the in-memory
 * chain (blocks, mempool, UTXO set, a regtest wallet); the wire servers (Bitcoin Core JSON-RPC,
 * Esplora HTTP, Electrum TCP) are thin translations of it. Hashes and txids are lowercase hex in
 * display order, amounts are satoshis as bigint.
 */

export interface DevBlock {
  hash: string;
  height: number;
  /** Hash of the parent ("0".repeat(64) for genesis). */
  prevHash: string;
  /** Block header time, unix seconds. */
  time: number;
  /** The 80-byte serialized header. */
  header: Uint8Array;
  block: Block;
  /** Txids in block order (coinbase first). */
  txids: string[];
}

export interface DevTx {
  txid: string;
  tx: Transaction;
  hex: string;
  /** null while in the mempool. */
  block: { hash: string; height: number; time: number; index: number } | null;
}

export interface DevMempoolEntry {
  txid: string;
  feeSats: bigint;
  vsize: number;
  /** Unix seconds it entered the mempool. */
  time: number;
  /** Txids of mempool transactions it spends. */
  depends: string[];
  /** BIP125-style signalling; devchain runs full RBF, so any mempool tx can be replaced. */
  bip125Replaceable: boolean;
}

export interface DevTxOut {
  valueSats: bigint;
  scriptPubKeyHex: string;
  /** 0 for a mempool output. */
  confirmations: number;
  coinbase: boolean;
  bestBlockHash: string;
}

/** An entry of a script's history, Electrum style: height 0 = in the mempool. */
export interface DevHistoryEntry {
  txid: string;
  height: number;
  feeSats?: bigint;
}

export interface DevUtxo {
  txid: string;
  vout: number;
  valueSats: bigint;
  /** 0 = in the mempool. */
  height: number;
}

export type DevChainEvent =
  /** A block joined the best chain (also each block connected by a reorg, in order). */
  | { type: "block"; block: DevBlock }
  /** A transaction entered the mempool. */
  | { type: "tx"; txid: string; tx: Transaction }
  /** A transaction left the mempool without being mined (replaced or conflicted). */
  | { type: "tx-removed"; txid: string; reason: "replaced" | "conflict" }
  /** Blocks were disconnected (invalidateblock / reorg); `tip` is the new tip. */
  | { type: "reorg"; disconnected: string[]; tip: DevBlock };

/** Fault knobs the wire servers honour, for tests. Mutable at run time. */
export interface DevChainFaults {
  /** Push notifications (Electrum subscriptions) are silently not sent. */
  dropNotifications: boolean;
  /** Every request is answered "too many requests" (HTTP 429 on RPC/Esplora, an error on Electrum). */
  rateLimited: boolean;
  /** Added delay before every answer, in ms. */
  lagMs: number;
}

/** Errors with Bitcoin Core's RPC error codes (e.g. -5 not found, -8 invalid parameter, -25/-26 rejected). */
export class DevChainError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = "DevChainError";
  }
}

export interface DevChain {
  readonly network: Network;
  readonly faults: DevChainFaults;

  tip(): DevBlock;
  /** Block by hash, best chain or not (an invalidated block can still be read, as in Core). */
  blockByHash(hash: string): DevBlock | undefined;
  /** Block at this height on the best chain. */
  blockAtHeight(height: number): DevBlock | undefined;
  isInBestChain(hash: string): boolean;
  /** Confirmations of a block: tip height - height + 1 on the best chain, -1 if not on it. */
  confirmations(hash: string): number;

  /** A transaction in the mempool or on the best chain (coinbases included). */
  getTx(txid: string): DevTx | undefined;
  mempoolTxids(): string[];
  mempoolEntry(txid: string): DevMempoolEntry | undefined;
  /** Unspent output (mempool spends count as spent when includeMempool). */
  getTxOut(txid: string, vout: number, includeMempool: boolean): DevTxOut | undefined;

  /** Best-chain then mempool transactions paying to or spending from this script, oldest first. */
  scriptHistory(scriptPubKeyHex: string): DevHistoryEntry[];
  scriptUtxos(scriptPubKeyHex: string): DevUtxo[];

  /** Validates and accepts into the mempool (replacing conflicts: full RBF with higher fee). Returns txid. */
  sendRawTransaction(hex: string): string;
  /** Fee rate estimate, sat/vB (devchain answers a fixed floor when the mempool is quiet). */
  estimateFeeRate(targetBlocks: number): number;

  /** A fresh address of devchain's regtest wallet (bech32 P2WPKH). */
  getNewAddress(): string;
  /** Pays `amountSats` from devchain's wallet; returns the txid. Transactions signal RBF. */
  sendToAddress(address: string, amountSats: bigint, opts?: { feeRateSatVb?: number }): string;
  /** Replaces a wallet transaction with a higher fee (same outputs, reduced change). */
  bumpFee(txid: string): { txid: string; origFeeSats: bigint; feeSats: bigint };
  /** Mines `count` blocks (valid regtest proof of work) with the coinbase to `address`; returns hashes. */
  generateToAddress(count: number, address: string): string[];
  /** Disconnects this block and its descendants; their transactions return to the mempool. */
  invalidateBlock(hash: string): void;
  reconsiderBlock(hash: string): void;
  /** Spendable wallet balance (mature coinbase + confirmed + own mempool change), sats. */
  walletBalance(): bigint;

  subscribe(listener: (event: DevChainEvent) => void): () => void;
}
