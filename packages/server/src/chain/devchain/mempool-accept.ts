/**
 * Whether a transaction may enter the mempool, as Core's AcceptToMemoryPool decides it: not
 * already confirmed, valid against the chain plus the mempool, paying the minimum relay fee, and
 * beating what it conflicts with under the (full) replace-by-fee rules. Changes nothing.
 */
import type { Transaction } from "bitcoinjs-lib";
import type { ActiveChain } from "./active-chain.js";
import type { Coin, CoinView } from "./coins.js";
import { idFromHash } from "./hex.js";
import type { Mempool } from "./mempool.js";
import { checkReplacement, INCREMENTAL_RELAY_SAT_VB } from "./replacement.js";
import { checkTransaction, rejected } from "./tx-validation.js";
import { DevChainError } from "./types.js";

const RPC_VERIFY_ALREADY_IN_CHAIN = -27;

export interface MempoolCheck {
  txid: string;
  feeSats: bigint;
  vsize: number;
  spent: Coin[];
  /** Mempool transactions it replaces (their descendants go too). */
  conflictIds: Set<string>;
}

export interface MempoolCheckOptions {
  medianTimePast: number;
  /** Re-admitting after a reorg: no fee rules (Core bypasses them), and no conflicts allowed. */
  reorg?: boolean;
}

export function checkForMempool(
  tx: Transaction,
  chain: ActiveChain,
  mempool: Mempool,
  opts: MempoolCheckOptions,
): MempoolCheck {
  const txid = tx.getId();
  if (chain.locate(txid)) throw new DevChainError(RPC_VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
  const conflictIds = new Set<string>();
  for (const input of tx.ins) {
    const spender = mempool.spender(idFromHash(input.hash), input.index);
    if (spender && spender !== txid) conflictIds.add(spender);
  }
  if (opts.reorg && conflictIds.size > 0) throw rejected("txn-mempool-conflict");
  const evictedIds = new Set<string>();
  for (const id of conflictIds) for (const e of [id, ...mempool.descendants(id)]) evictedIds.add(e);
  if (tx.ins.some((input) => evictedIds.has(idFromHash(input.hash)))) throw rejected("bad-txns-spends-conflicting-tx");

  const view: CoinView = { coin: (id, vout) => chain.utxos.coin(id, vout) ?? mempool.output(id, vout) };
  const spendHeight = chain.tip().height + 1;
  const { feeSats, spent } = checkTransaction(tx, view, { spendHeight, medianTimePast: opts.medianTimePast });
  const vsize = tx.virtualSize();
  if (!opts.reorg) {
    const minFee = INCREMENTAL_RELAY_SAT_VB * BigInt(vsize);
    if (feeSats < minFee) throw rejected(`min relay fee not met, ${feeSats} < ${minFee}`);
    if (conflictIds.size > 0) {
      const conflicts = [...conflictIds].map((id) => mempool.get(id)!);
      const evicted = [...evictedIds].map((id) => mempool.get(id)!);
      checkReplacement(txid, feeSats, vsize, conflicts, evicted);
    }
  }
  return { txid, feeSats, vsize, spent, conflictIds };
}
