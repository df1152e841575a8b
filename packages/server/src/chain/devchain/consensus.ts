/**
 * Regtest consensus parameters devchain follows (Bitcoin Core's `CRegTestParams`): the easiest
 * possible target, a 150-block halving interval and the usual 100-block coinbase maturity.
 */
import type { Block } from "bitcoinjs-lib";

/** Compact target of every regtest block. */
export const REGTEST_BITS = 0x207fffff;
/** A coinbase output can be spent in a block at least this many blocks after its own. */
export const COINBASE_MATURITY = 100;
export const HALVING_INTERVAL = 150;
const INITIAL_SUBSIDY_SATS = 50n * 100_000_000n;

/** Regtest genesis block as Bitcoin Core has it hard-coded (same coinbase as mainnet's). */
export const REGTEST_GENESIS_HEX =
  "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000";
export const REGTEST_GENESIS_HASH = "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206";

/** Block subsidy at `height`, halving every 150 blocks as on regtest. */
export function subsidySats(height: number): bigint {
  const halvings = Math.floor(height / HALVING_INTERVAL);
  return halvings >= 64 ? 0n : INITIAL_SUBSIDY_SATS >> BigInt(halvings);
}

/** Proof of work of one regtest block (2^256 / (target + 1)), the unit of `chainwork`. */
export const REGTEST_BLOCK_WORK = 2n;

/** Core's `difficulty` for bits 0x207fffff (relative to the mainnet minimum target 0x1d00ffff). */
export const REGTEST_DIFFICULTY = 4.656542373906925e-10;

/**
 * Grinds the nonce until the header hash is at or below the target. At regtest difficulty that
 * takes about two tries. `skip` rejects a hash that is otherwise fine: a block identical to an
 * invalidated one (same parent, time and transactions) must come out with another hash.
 */
export function solveProofOfWork(block: Block, skip: (hash: string) => boolean): void {
  for (let nonce = 0; nonce <= 0xffffffff; nonce++) {
    block.nonce = nonce;
    if (block.checkProofOfWork() && !skip(block.getId())) return;
  }
  throw new Error("no nonce solves this header");
}
