/**
 * devchain's fee estimate, sat/vB. A quiet regtest mempool gives Core no data at all; devchain
 * answers a fixed floor instead so callers always get a number, and once the mempool holds more
 * than `targetBlocks` blocks' worth of transactions it answers the fee rate that would just make
 * it into the target (a test can fill the mempool to move the estimate).
 */
import type { MempoolTx } from "./mempool.js";

export const FEE_FLOOR_SAT_VB = 1;
const BLOCK_VSIZE = 1_000_000;

export function estimateFeeRate(mempool: readonly MempoolTx[], targetBlocks: number): number {
  const byRate = [...mempool].sort((a, b) => rate(b) - rate(a));
  const room = Math.max(1, targetBlocks) * BLOCK_VSIZE;
  let used = 0;
  for (const entry of byRate) {
    used += entry.vsize;
    if (used > room) return Math.max(FEE_FLOOR_SAT_VB, Math.ceil(rate(entry)) + 1);
  }
  return FEE_FLOOR_SAT_VB;
}

function rate(entry: MempoolTx): number {
  return Number(entry.feeSats) / entry.vsize;
}
