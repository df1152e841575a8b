import { Decimal } from "../domain/decimal.js";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import { gapWarning, unpaidInRow } from "../domain/gap-limit.js";
import { type InvoiceQuote, type InvoiceRecord, parseInvoiceLookup } from "../domain/invoice.js";
import { btcAmountSats } from "../domain/pricing.js";
import type { Logger } from "../logger.js";
import type { AssignedAddress, Clock, Database, Repositories, WalletRecord } from "../ports.js";
import type { AddressPool } from "./address-pool.js";
import type { StoreScope } from "./auth.js";
import type { RateService } from "./rates.js";
import type { WalletService } from "./wallets.js";

export interface FinalizeOptions {
  quoteDeadlineMinutes: number;
  /** How long a partly paid invoice stays open after the quote deadline. */
  monitoringMinutes: number;
  /** Hours after release before an address may be handed out again; null = never. */
  addressReuseAfterHours: number | null;
}

/** Per-invoice replacements for the server-wide finalize options. */
export type FinalizeOverrides = Partial<Pick<FinalizeOptions, "quoteDeadlineMinutes" | "monitoringMinutes">>;

/**
 * draft -> pending: lock the BTC price for the quote deadline and hand out a fresh address. Atomic:
 * without a wallet, a fresh rate or a positive total nothing is consumed.
 */
export class FinalizeService {
  constructor(
    private readonly db: Database,
    private readonly wallets: WalletService,
    private readonly pool: AddressPool,
    private readonly rates: RateService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: FinalizeOptions,
  ) {}

  /**
   * `overrides` replace the server's quote deadline and monitoring window for this one invoice (a
   * Greenfield shop's `expirationMinutes` / `monitoringMinutes`); both default to the options.
   *
   * Usually no transaction at all: an unlocked read, then one statement that claims a pre-derived
   * address and marks the invoice pending only if it is still a draft. A transaction here would
   * add BEGIN and COMMIT round trips and, on the embedded database, make every other client wait
   * through all four. Address reuse (opt-in), an empty pool or a lost race take the locked path.
   */
  async finalize(auth: StoreScope, ref: string, overrides: FinalizeOverrides = {}): Promise<InvoiceRecord> {
    const terms = {
      quoteMinutes: overrides.quoteDeadlineMinutes ?? this.opts.quoteDeadlineMinutes,
      monitoringMinutes: overrides.monitoringMinutes ?? this.opts.monitoringMinutes,
    };
    if (this.opts.addressReuseAfterHours === null) {
      const repos = this.db.repos();
      const found = await repos.invoices.findWithWallet(auth.store.id, parseInvoiceLookup(ref));
      // A status read without a lock is still final when it is not "draft": status never goes back.
      const { invoice, wallet, priced } = await this.priced(auth, ref, found, terms, repos);
      const pooled = await repos.invoices.finalizeWithPooledAddress(invoice.id, wallet.id, priced);
      if (pooled) return this.finished(invoice, wallet, { ...priced, paymentAddress: pooled.address }, pooled.index);
    }
    let refillFor: WalletRecord | undefined;
    const finalized = await this.db.transaction(async (repos) => {
      const found = await repos.invoices.findForUpdateWithWallet(auth.store.id, parseInvoiceLookup(ref));
      const { invoice, wallet, priced } = await this.priced(auth, ref, found, terms, repos);
      // The pooled statement was tried above (or reuse is on); assignAddress claims from the pool
      // too before it derives.
      const address = await this.assignAddress(repos, wallet, invoice.id, priced.finalizedAt);
      const quote: InvoiceQuote = { ...priced, paymentAddress: address.address };
      await repos.invoices.markFinalized(invoice.id, quote);
      if (this.pool.isLow(wallet, address.index)) refillFor = wallet;
      this.warnAboutGap(wallet, address.index);
      return { ...invoice, status: "pending" as const, quote };
    });
    // After commit, in its own short transaction, so the next finalizes find addresses ready.
    if (refillFor) await this.pool.refill(refillFor);
    return finalized;
  }

  /** What finalize checks before anything is consumed, and the quote it locks. */
  private async priced(
    auth: StoreScope,
    ref: string,
    found: { invoice: InvoiceRecord; wallet: WalletRecord | null } | null,
    terms: { quoteMinutes: number; monitoringMinutes: number },
    repos: Repositories,
  ): Promise<{ invoice: InvoiceRecord; wallet: WalletRecord; priced: Omit<InvoiceQuote, "paymentAddress"> }> {
    if (!found) throw new NotFoundError(`invoice "${ref}" not found`);
    const { invoice, wallet } = found;
    if (invoice.status !== "draft") {
      throw new ValidationError(
        `invoice ${invoice.invoiceNumber} is ${invoice.status}; only draft invoices can be finalized`,
      );
    }
    if (!Decimal.parse(invoice.total).isPositive()) {
      throw new ValidationError(`invoice ${invoice.invoiceNumber} has a total of 0; only a positive total can be paid`);
    }
    if (!wallet) {
      throw new ValidationError("this store has no wallet: set one with PUT /api/v1/wallet or 'npx btpay wallet set'");
    }
    const rate = await this.rates.quote(invoice.currency, repos);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + terms.quoteMinutes * 60_000);
    const priced = {
      btcRate: rate.rate,
      btcAmountSats: btcAmountSats(invoice.total, rate.rate, auth.store.markupPercent),
      btcRateSources: rate.sources,
      btcRateAt: rate.at,
      finalizedAt: now,
      expiresAt,
      monitoringUntil: new Date(expiresAt.getTime() + terms.monitoringMinutes * 60_000),
    };
    return { invoice, wallet, priced };
  }

  /** The finalized invoice, once its statement has committed; refills the pool when it runs low. */
  private async finished(
    invoice: InvoiceRecord,
    wallet: WalletRecord,
    quote: InvoiceQuote,
    index: number,
  ): Promise<InvoiceRecord> {
    this.warnAboutGap(wallet, index);
    if (this.pool.isLow(wallet, index)) await this.pool.refill(wallet);
    return { ...invoice, status: "pending", quote };
  }

  /**
   * A released, never-paid address past its quarantine when reuse is enabled; else the lowest
   * pre-derived address; else (pool drained by a burst) one derived right here under the wallet lock.
   */
  private async assignAddress(
    repos: Repositories,
    wallet: WalletRecord,
    invoiceId: number,
    now: Date,
  ): Promise<AssignedAddress> {
    if (this.opts.addressReuseAfterHours !== null) {
      const releasedBefore = new Date(now.getTime() - this.opts.addressReuseAfterHours * 3_600_000);
      const reused = await repos.addresses.reuseReleased(wallet.id, releasedBefore, invoiceId);
      if (reused) return reused;
    }
    let claimed = await repos.addresses.claimAvailable(wallet.id, invoiceId);
    if (!claimed) {
      const index = await repos.wallets.takeIndexes(wallet.id, 1);
      const derived = this.wallets.deriver(wallet).address(0, index);
      await repos.addresses.insertAvailable(wallet.id, [
        { chain: 0, index, address: derived.address, scriptPubkey: derived.scriptPubKeyHex },
      ]);
      claimed = await repos.addresses.claimAvailable(wallet.id, invoiceId);
      if (!claimed) throw new Error("an address derived in this transaction could not be claimed");
    }
    return claimed;
  }

  private warnAboutGap(wallet: WalletRecord, index: number): void {
    const warning = gapWarning(unpaidInRow(index + 1, wallet.highestPaidIndex), wallet.gapLimit);
    if (warning) this.logger.warn({ storeId: wallet.storeId, walletId: wallet.id, index }, `gap limit: ${warning}`);
  }
}
