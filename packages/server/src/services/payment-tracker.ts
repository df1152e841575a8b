import type { ChainSnapshot, ObservedOutput } from "../chain/chain-source.js";
import { evaluateInvoice, fiatPaid, type LifecycleResult } from "../domain/lifecycle.js";
import { type PaymentChange, paymentKey, reconcilePayments } from "../domain/payment.js";
import type { Logger } from "../logger.js";
import type { Clock, Database, NewOutboxEvent, StoredPayment, WatchedInvoice } from "../ports.js";
import { invoiceEventData, paymentEventData } from "./event-payloads.js";

export interface PaymentTrackerOptions {
  network: string;
  /** How long a confirmed or expired invoice stays watched (reorgs, late payments). */
  monitoringMinutes: number;
}

interface Outcome {
  payments: StoredPayment[];
  changes: PaymentChange[];
  result: LifecycleResult;
  changed: boolean;
}

/**
 * Applies what the chain shows to the invoices being watched. For each invoice: reconcile payments,
 * run the lifecycle function, and when anything differs save payments, status and events in ONE
 * transaction under the invoice's row lock. Re-reading under the lock makes it idempotent and safe
 * with two watchers at once: the second finds nothing left to change.
 */
export class PaymentTracker {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: PaymentTrackerOptions,
  ) {}

  /** Returns how many invoices changed. */
  async apply(watched: readonly WatchedInvoice[], snapshot: ChainSnapshot, source: string): Promise<number> {
    await this.db.repos().chain.saveTip(this.opts.network, source, snapshot.tip);
    let changed = 0;
    for (const inv of watched) {
      const observed = snapshot.outputs.get(inv.scriptPubKeyHex);
      // A snapshot without this script knows nothing about it: leave the invoice alone.
      if (!observed) continue;
      if (!this.evaluate(inv, observed, snapshot.tip.height).changed) continue;
      if (await this.update(inv.id, observed, snapshot.tip.height)) changed++;
    }
    return changed;
  }

  private async update(invoiceId: number, observed: readonly ObservedOutput[], tipHeight: number): Promise<boolean> {
    return this.db.transaction(async (repos) => {
      const inv = await repos.chain.lockWatched(invoiceId);
      if (!inv) return false;
      const outcome = this.evaluate(inv, observed, tipHeight);
      if (!outcome.changed) return false;
      const { result } = outcome;
      const now = this.clock.now();
      await repos.chain.savePayments(inv.id, outcome.payments);
      if (outcome.payments.length > 0) await repos.chain.markAddressPaid(inv.id);
      const amountPaid = fiatPaid(inv.total, result.paidSats, inv.dueSats, inv.currency);
      await repos.chain.saveLifecycle(inv.id, {
        status: result.status,
        paidSats: result.paidSats,
        amountPaid,
        flags: result.flags,
        watchUntil: result.watchUntil,
        at: now,
      });
      const data = invoiceEventData({
        ref: inv.ref,
        invoiceNumber: inv.invoiceNumber,
        status: result.status,
        total: inv.total,
        amountPaid,
        currency: inv.currency,
        dueSats: inv.dueSats,
        paidSats: result.paidSats,
        flags: result.flags,
      });
      const events: NewOutboxEvent[] = result.events.map((e) => ({
        storeId: inv.storeId,
        type: e.type,
        invoiceId: inv.id,
        data: {
          ...data,
          ...(e.from ? { previous_status: e.from } : {}),
          ...(e.payment ? { payment: paymentEventData(e.payment, inv.address, tipHeight) } : {}),
        },
      }));
      await repos.chain.appendEvents(events);
      if (result.status !== inv.status) {
        this.logger.info(
          { invoice: inv.invoiceNumber, storeId: inv.storeId, from: inv.status, to: result.status },
          "invoice status changed",
        );
      }
      return true;
    });
  }

  private evaluate(inv: WatchedInvoice, observed: readonly ObservedOutput[], tipHeight: number): Outcome {
    const now = this.clock.now();
    const { payments, changes } = reconcilePayments(
      inv.payments,
      observed.map((o) => ({ txid: o.txid, vout: o.vout, amountSats: o.valueSats, block: o.block })),
      { now, quoteDeadline: inv.expiresAt },
    );
    const result = evaluateInvoice(
      {
        status: inv.status,
        watchUntil: inv.watchUntil,
        payments,
        announcedConfirmed: new Set(inv.payments.filter((p) => p.confirmedAnnounced).map(paymentKey)),
      },
      changes,
      {
        dueSats: inv.dueSats,
        expiresAt: inv.expiresAt,
        monitoringUntil: inv.monitoringUntil,
        requiredConfirmations: inv.requiredConfirmations,
        underpaymentTolerancePercent: inv.underpaymentTolerancePercent,
        monitoringWindowMs: this.opts.monitoringMinutes * 60_000,
      },
      tipHeight,
      now,
    );
    const stored: StoredPayment[] = payments.map((p) => ({
      ...p,
      address: inv.address,
      confirmedAnnounced: result.announcedConfirmed.has(paymentKey(p)),
    }));
    const before = new Map(inv.payments.map((p) => [paymentKey(p), p]));
    const paymentsDiffer = stored.some((p) => {
      const old = before.get(paymentKey(p));
      return (
        !old ||
        old.state !== p.state ||
        old.block?.hash !== p.block?.hash ||
        old.confirmedAnnounced !== p.confirmedAnnounced
      );
    });
    const changed =
      paymentsDiffer ||
      changes.length > 0 ||
      result.events.length > 0 ||
      result.status !== inv.status ||
      result.paidSats !== inv.paidSats ||
      result.flags.join(",") !== inv.flags.join(",") ||
      (result.watchUntil?.getTime() ?? null) !== (inv.watchUntil?.getTime() ?? null);
    return { payments: stored, changes, result, changed };
  }
}
