/**
 * Replace-by-fee rules devchain applies (Bitcoin Core's BIP125 rules 3, 4 and 6, with full RBF:
 * any mempool transaction can be replaced, signalling or not). Messages are Core's.
 */
import { formatMoney } from "../json-exact.js";
import type { MempoolTx } from "./mempool.js";
import { rejected } from "./tx-validation.js";

/** Core's -incrementalrelayfee and -minrelaytxfee, sat/vB. */
export const INCREMENTAL_RELAY_SAT_VB = 1n;

/** Fee rate in sat/kvB, truncated, as Core's CFeeRate compares them. */
export function feeRateSatKvb(feeSats: bigint, vsize: number): bigint {
  return (feeSats * 1000n) / BigInt(vsize);
}

function feeRateText(satKvb: bigint): string {
  return `${satKvb / 100_000_000n}.${(satKvb % 100_000_000n).toString().padStart(8, "0")} BTC/kvB`;
}

/**
 * Throws unless a transaction paying `feeSats` for `vsize` may replace `conflicts` (the mempool
 * transactions spending the same outputs) and `evicted` (those plus all their descendants).
 */
export function checkReplacement(
  txid: string,
  feeSats: bigint,
  vsize: number,
  conflicts: MempoolTx[],
  evicted: MempoolTx[],
): void {
  const newRate = feeRateSatKvb(feeSats, vsize);
  for (const old of conflicts) {
    const oldRate = feeRateSatKvb(old.feeSats, old.vsize);
    if (newRate <= oldRate) {
      throw rejected(
        `insufficient fee, rejecting replacement ${txid}; new feerate ${feeRateText(newRate)} <= old feerate ${feeRateText(oldRate)}`,
      );
    }
  }
  const evictedFees = evicted.reduce((sum, e) => sum + e.feeSats, 0n);
  if (feeSats < evictedFees) {
    throw rejected(
      `insufficient fee, rejecting replacement ${txid}, less fees than conflicting txs; ${formatMoney(feeSats)} < ${formatMoney(evictedFees)}`,
    );
  }
  const needed = INCREMENTAL_RELAY_SAT_VB * BigInt(vsize);
  if (feeSats - evictedFees < needed) {
    throw rejected(
      `insufficient fee, rejecting replacement ${txid}, not enough additional fees to relay; ${formatMoney(feeSats - evictedFees)} < ${formatMoney(needed)}`,
    );
  }
}
