/**
 * Payments: one per transaction output paying an invoice's address, identified by (txid, vout) so
 * seeing the same output again can never count it twice. `reconcilePayments` is pure: given what
 * btpay recorded and what the chain shows now, it says what the payments are now and what changed.
 */

/**
 * `mempool` (seen, unconfirmed), `confirmed` (in a best-chain block), `replaced` (it left the mempool
 * unmined: RBF or a double spend), `reorged` (its block left the best chain and it is nowhere now).
 * The last two no longer count; they are kept so nothing seen is ever forgotten.
 */
export type PaymentState = "mempool" | "confirmed" | "replaced" | "reorged";

export interface PaymentRecord {
  txid: string;
  vout: number;
  amountSats: bigint;
  state: PaymentState;
  block: { height: number; hash: string } | null;
  /** First seen after the invoice's quote deadline. */
  late: boolean;
  firstSeenAt: Date;
}

/** An output paying the invoice's address as the chain shows it now. */
export interface ObservedPayment {
  txid: string;
  vout: number;
  amountSats: bigint;
  block: { height: number; hash: string } | null;
}

export type PaymentChange =
  | { kind: "received"; payment: PaymentRecord }
  /** Entered a block (or moved to another block after a reorg). */
  | { kind: "mined"; payment: PaymentRecord }
  /** Its block left the chain and it is back in the mempool. */
  | { kind: "unconfirmed"; payment: PaymentRecord }
  | { kind: "removed"; payment: PaymentRecord }
  /** A replaced or reorged payment came back. */
  | { kind: "restored"; payment: PaymentRecord };

export const paymentKey = (p: { txid: string; vout: number }): string => `${p.txid}:${p.vout}`;

export const isActive = (p: PaymentRecord): boolean => p.state === "mempool" || p.state === "confirmed";

export function confirmations(p: PaymentRecord, tipHeight: number): number {
  if (p.state !== "confirmed" || !p.block) return 0;
  // A snapshot's tip is read last, but clamp anyway: a payment in a block counts at least once.
  return Math.max(1, tipHeight - p.block.height + 1);
}

export function reconcilePayments(
  recorded: readonly PaymentRecord[],
  observed: readonly ObservedPayment[],
  ctx: { now: Date; quoteDeadline: Date },
): { payments: PaymentRecord[]; changes: PaymentChange[] } {
  const seen = new Map(observed.map((o) => [paymentKey(o), o]));
  const payments: PaymentRecord[] = [];
  const changes: PaymentChange[] = [];
  for (const old of recorded) {
    const now = seen.get(paymentKey(old));
    seen.delete(paymentKey(old));
    if (!now) {
      if (!isActive(old)) {
        payments.push(old);
        continue;
      }
      // Gone from mempool and chain: a confirmed one lost its block, an unconfirmed one was replaced.
      const removed: PaymentRecord = { ...old, state: old.state === "confirmed" ? "reorged" : "replaced", block: null };
      payments.push(removed);
      changes.push({ kind: "removed", payment: removed });
      continue;
    }
    const next: PaymentRecord = { ...old, state: now.block ? "confirmed" : "mempool", block: now.block };
    payments.push(next);
    if (!isActive(old)) changes.push({ kind: "restored", payment: next });
    else if (next.block && (!old.block || old.block.hash !== next.block.hash))
      changes.push({ kind: "mined", payment: next });
    else if (!next.block && old.block) changes.push({ kind: "unconfirmed", payment: next });
  }
  for (const o of seen.values()) {
    const fresh: PaymentRecord = {
      txid: o.txid,
      vout: o.vout,
      amountSats: o.amountSats,
      state: o.block ? "confirmed" : "mempool",
      block: o.block,
      late: ctx.now.getTime() > ctx.quoteDeadline.getTime(),
      firstSeenAt: ctx.now,
    };
    payments.push(fresh);
    changes.push({ kind: "received", payment: fresh });
  }
  return { payments, changes };
}
