import type { Logger } from "../logger.js";
import type { Clock, Database } from "../ports.js";

/** Invoices handled per transaction; a backlog drains over a few passes. */
const BATCH = 100;

export interface InvalidationSweep {
  /** One pass now; resolves with how many invoices went Invalid. */
  sweepNow(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Greenfield's rule that btpay's lifecycle does not have: an invoice paid but not confirmed by its
 * monitoring expiration becomes Invalid (a shop plugin then fails the order). Each pass claims the
 * overdue Greenfield invoices (SKIP LOCKED, so several processes share the work and none twice),
 * records when, and appends `invoice.invalidated` in the same transaction, which the Greenfield
 * webhooks announce as InvoiceInvalid. Everything it needs is in the database: a restart just
 * finds the rest on its next pass.
 */
export function startInvalidationSweep(
  deps: { db: Database; clock: Clock; logger: Logger },
  opts: { intervalMs: number },
): InvalidationSweep {
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);

  async function pass(): Promise<number> {
    let total = 0;
    for (;;) {
      const done = await deps.db.transaction(async (repos) => {
        const overdue = await repos.greenfieldInvoices.invalidateOverdue(deps.clock.now(), BATCH);
        await repos.chain.appendEvents(
          overdue.map((o) => ({
            storeId: o.storeId,
            type: "invoice.invalidated",
            invoiceId: o.id,
            data: { ref: o.ref },
          })),
        );
        return overdue.length;
      });
      total += done;
      if (done < BATCH) return total;
    }
  }

  const sweepNow = (): Promise<number> => {
    // Passes never overlap: the next one starts after the last has settled.
    running = running.catch(() => 0).then(pass);
    return running;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    sweepNow().catch((err: unknown) => deps.logger.error({ err }, "Greenfield invalidation sweep failed"));
  }, opts.intervalMs);
  timer.unref();

  return {
    sweepNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running.catch(() => 0);
    },
  };
}
