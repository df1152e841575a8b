import type { Config } from "../config.js";
import { NotFoundError } from "../domain/errors.js";
import type { InvoiceRecord } from "../domain/invoice.js";
import type { Logger } from "../logger.js";
import { type Database, systemClock } from "../ports.js";
import { parseFixedRates } from "../rates/fixed.js";
import { AddressPool } from "../services/address-pool.js";
import { FinalizeService } from "../services/finalize.js";
import { RateService } from "../services/rates.js";
import { WalletService } from "../services/wallets.js";

export type ShortDeadlineConfig = Pick<Config, "network" | "gapLimit" | "addressReuseAfterHours" | "rates">;

/**
 * Finalizes a draft exactly as `POST /invoices/{ref}/finalize` does, but with a quote deadline (and
 * partial-payment grace) of a few minutes instead of BTPAY_QUOTE_DEADLINE, so the playground can
 * show `expired` and `expired_partial` without waiting half an hour. The real FinalizeService with
 * other options: no second path to a pending invoice.
 */
export async function finalizeWithDeadline(
  deps: { db: Database; config: ShortDeadlineConfig; logger: Logger },
  storeId: string,
  ref: string,
  minutes: number,
): Promise<InvoiceRecord> {
  const { db, config, logger } = deps;
  const store = await db.repos().stores.get(storeId);
  if (!store) throw new NotFoundError(`store ${storeId} not found`);
  const wallets = new WalletService(db, { network: config.network, defaultGapLimit: config.gapLimit });
  const rates = new RateService(db, systemClock, {
    fixed: config.rates.fixed
      ? parseFixedRates(config.rates.fixed, systemClock.now()).map((r) => ({ ...r, rate: r.rate.toString() }))
      : null,
    maxAgeSeconds: config.rates.maxAgeSeconds,
  });
  const finalizer = new FinalizeService(db, wallets, new AddressPool(db, wallets), rates, systemClock, logger, {
    quoteDeadlineMinutes: minutes,
    monitoringMinutes: minutes,
    addressReuseAfterHours: config.addressReuseAfterHours,
  });
  return finalizer.finalize({ store }, ref);
}
