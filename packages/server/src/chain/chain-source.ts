/**
 * The port every chain backend implements (Esplora REST, Bitcoin Core JSON-RPC, Electrum). The
 * chain watcher asks for a snapshot of the scripts it watches and derives everything else (payments,
 * confirmations, reorgs, replacements) from it; push notifications are only hints to ask again.
 */

/** The best chain's tip. Hashes are lowercase hex in display (RPC) byte order. */
export interface ChainTip {
  height: number;
  hash: string;
}

/** A script the watcher cares about: an invoice address. */
export interface WatchedScript {
  /** Output script, lowercase hex. */
  scriptPubKeyHex: string;
  address: string;
  /**
   * No payment to this script can be older than this (the invoice's finalize time): a backend that
   * scans blocks (bitcoind) starts a little before it, allowing for block timestamp skew (2 h).
   */
  since: Date;
}

/** One transaction output paying a watched script, and where its transaction is now. */
export interface ObservedOutput {
  txid: string;
  vout: number;
  scriptPubKeyHex: string;
  valueSats: bigint;
  /** null while in the mempool; else the block on the current best chain that holds the transaction. */
  block: { height: number; hash: string } | null;
}

/**
 * The complete current state of the asked scripts. `outputs` has an entry (possibly empty) for
 * EVERY asked script: every output paying it that is in the mempool or on the best chain. An output
 * that is missing is gone (replaced, double-spent, or its block left the chain), so an adapter that
 * cannot give the complete picture must throw rather than return a partial one.
 * `tip` is read after the outputs, so `tip.height` >= every `block.height` in the snapshot.
 */
export interface ChainSnapshot {
  tip: ChainTip;
  outputs: Map<string, ObservedOutput[]>;
}

/** A push notification: something may have changed; the watcher takes a new snapshot. */
export type ChainHint = { kind: "block"; height?: number } | { kind: "script"; scriptPubKeyHex: string };

export interface ChainSource {
  readonly kind: "esplora" | "bitcoind" | "electrum";
  tip(): Promise<ChainTip>;
  snapshot(scripts: readonly WatchedScript[]): Promise<ChainSnapshot>;
  /** Registers a listener for push hints; returns a function that removes it. */
  onHint(listener: (hint: ChainHint) => void): () => void;
  close(): Promise<void>;
}

/** A backend answered with an error, timed out or could not be reached. The watcher retries later. */
export class ChainSourceError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ChainSourceError";
  }
}
