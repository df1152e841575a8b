import {
  type GreenfieldBackend,
  GreenfieldError,
  GreenfieldValidationError,
  type NewGreenfieldInvoice,
} from "@btpay/woocommerce-bridge";
import { minorUnits, normalizeCurrency } from "../domain/currency.js";
import { Decimal } from "../domain/decimal.js";
import type { InvoiceRecord } from "../domain/invoice.js";
import type { StoreRecord } from "../ports.js";
import type { GreenfieldDeps } from "./deps.js";
import { asGreenfieldError, greenfieldInvoiceData, greenfieldPayment, refOf } from "./invoice-data.js";

// Where btpay's field names came from in the Greenfield body.
const CREATE_PATHS: Record<string, string> = {
  currency: "currency",
  "lines[0].unit_price": "amount",
  "lines[0].amount": "amount",
  subtotal: "amount",
  total: "amount",
  customer_email: "metadata.buyerEmail",
  redirect_url: "checkout.redirectURL",
};

/**
 * Greenfield invoices are btpay invoices: one line for the amount, made and finalized in one call
 * (a shop gets a payable invoice or an error, never a draft), with the shop's checkout options
 * applied through btpay's own fields (required confirmations, underpayment tolerance, quote
 * deadline, monitoring window, redirect URL) and kept as sent to echo back.
 */
export function invoicesBackend(deps: GreenfieldDeps): GreenfieldBackend["invoices"] {
  const { db, clock, logger, invoices, finalizer, rates } = deps;

  const read = async (storeId: string, id: string) => {
    const ref = refOf(id);
    const row = ref ? await db.repos().greenfieldInvoices.get(storeId, ref) : null;
    return row ? greenfieldInvoiceData(row, clock.now()) : null;
  };

  async function storeScope(storeId: string): Promise<{ store: StoreRecord }> {
    const store = await db.repos().stores.get(storeId);
    if (!store) throw new GreenfieldError(404, "store-not-found", "the store was not found");
    return { store };
  }

  return {
    async create(storeId, input) {
      const scope = await storeScope(storeId);
      const prepared = attempt(() => {
        checkAmount(input);
        const draft = invoices.prepare(scope, {
          currency: input.currency,
          lines: [{ description: input.description, quantity: "1", unit_price: input.amount }],
          payment_methods: ["onchain_btc"],
          metadata: input.metadata,
          ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
          ...(input.customerName ? { customer_name: input.customerName } : {}),
          ...(input.redirectUrl ? { redirect_url: input.redirectUrl } : {}),
          ...(input.requiredConfirmations !== null
            ? { required_confirmations: input.requiredConfirmations as 0 | 1 | 2 | 6 }
            : {}),
        });
        if (input.underpaymentTolerancePercent !== null)
          draft.underpaymentTolerancePercent = Decimal.parse(input.underpaymentTolerancePercent).toString();
        return draft;
      });
      // Without a wallet or a rate nothing is written: finalize would refuse, and the shop would hear
      // (by webhook) of a cancelled draft it never got an id for.
      if (!(await db.repos().wallets.active(storeId)))
        throw new GreenfieldError(400, "generic-error", "this store has no wallet yet, so it cannot take payments");
      await rates.quote(prepared.currency).catch((err: unknown) => {
        throw asGreenfieldError(err);
      });

      const draft: InvoiceRecord = await db.transaction(async (repos) => {
        const inserted = await invoices.insert(repos, scope, prepared);
        // Greenfield's monitoring expiration (confirm by then or become Invalid; late payments are
        // watched until then) is resolved now and kept; btpay's own grace for a partly paid invoice
        // is 0 (below), since Greenfield expires a partly paid invoice at its expiration time.
        await repos.greenfieldInvoices.setCheckout(inserted.id, {
          ...input.checkout,
          monitoringMinutesApplied: input.monitoringMinutes ?? deps.config.monitoringMinutes,
        });
        return inserted;
      });
      try {
        await finalizer.finalize(scope, draft.ref, {
          ...(input.expirationMinutes !== null ? { quoteDeadlineMinutes: input.expirationMinutes } : {}),
          monitoringMinutes: 0,
        });
      } catch (err) {
        // No half-made invoice lingers: the draft is cancelled and the shop gets finalize's answer.
        await invoices.cancel(scope, draft.ref).catch((cancelErr: unknown) => {
          logger.error({ err: cancelErr, ref: draft.ref }, "could not cancel a Greenfield draft");
        });
        throw asGreenfieldError(err);
      }
      const created = await read(storeId, draft.ref);
      if (!created) throw new Error(`invoice ${draft.ref} vanished right after it was finalized`);
      return created;
    },

    get: read,

    async search(storeId, { orderIds, limit }) {
      const rows = await db.repos().greenfieldInvoices.search(storeId, { orderIds, limit });
      const now = clock.now();
      return rows.flatMap((row) => greenfieldInvoiceData(row, now) ?? []);
    },

    async payments(storeId, id) {
      const ref = refOf(id);
      const repos = db.repos();
      const row = ref ? await repos.greenfieldInvoices.get(storeId, ref) : null;
      const invoice = row && greenfieldInvoiceData(row, clock.now());
      if (!row || !invoice) return null;
      const [payments, tip] = await Promise.all([
        repos.chain.payments(row.invoice.id),
        repos.chain.tip(deps.config.network),
      ]);
      return { invoice, payments: payments.map((p) => greenfieldPayment(p, tip?.height ?? null)) };
    },

    async mark(storeId, id, mark, guard) {
      const ref = refOf(id);
      if (!ref) return null;
      const scope = await storeScope(storeId);
      return db.transaction(async (repos) => {
        const row = await repos.greenfieldInvoices.get(storeId, ref, { lock: true });
        const current = row && greenfieldInvoiceData(row, clock.now());
        if (!row || !current) return null;
        guard(current);
        // An open invoice marked Invalid is cancelled in btpay too, so its address goes back to the
        // pool; one with money on it keeps its btpay status (the payments stay on record).
        if (mark === "Invalid" && row.invoice.status === "pending") await invoices.cancelIn(repos, scope, ref);
        await repos.greenfieldInvoices.setManualStatus(row.invoice.id, mark);
        await repos.chain.appendEvents([
          { storeId, type: "invoice.marked", invoiceId: row.invoice.id, data: { ref, mark } },
        ]);
        const after = await repos.greenfieldInvoices.get(storeId, ref);
        return after && greenfieldInvoiceData(after, clock.now());
      });
    },

    async updateMetadata(storeId, id, metadata) {
      const ref = refOf(id);
      if (!ref) return null;
      return db.transaction(async (repos) => {
        const row = await repos.greenfieldInvoices.get(storeId, ref, { lock: true });
        if (!row?.invoice.quote) return null;
        await repos.greenfieldInvoices.setMetadata(row.invoice.id, metadata);
        return greenfieldInvoiceData({ ...row, invoice: { ...row.invoice, metadata } }, clock.now());
      });
    },
  };
}

/** The amount must fit the currency: btpay never rounds what a shop asked for ("25.005" USD is refused). */
function checkAmount(input: NewGreenfieldInvoice): void {
  const code = normalizeCurrency(input.currency);
  const places = Decimal.parse(input.amount).normalize().decimalPlaces();
  if (places > minorUnits(code))
    throw new GreenfieldValidationError([
      { path: "amount", message: `${code} has ${minorUnits(code)} decimal places, got "${input.amount}"` },
    ]);
}

/** Runs btpay's validation, answering its refusals in Greenfield's words. */
function attempt<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw asGreenfieldError(err, (field) => CREATE_PATHS[field] ?? field);
  }
}
