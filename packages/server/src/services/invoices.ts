import { Decimal } from "../domain/decimal.js";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import { newInvoiceRef } from "../domain/ids.js";
import {
  type InvoiceLookup,
  type InvoiceRecord,
  type InvoiceStatus,
  type NewInvoice,
  type PaymentMethod,
  parseInvoiceLookup,
} from "../domain/invoice.js";
import { computeTotals, parseTotalsInput } from "../domain/invoice-totals.js";
import type { CreateInvoiceBody } from "../http/generated/openapi.js";
import {
  type Clock,
  type Database,
  type InvoiceListQuery,
  type InvoicePage,
  type NewDraft,
  type NewOutboxEvent,
  type Repositories,
  type StoredPayment,
  systemClock,
} from "../ports.js";
import type { AuthContext, StoreScope } from "./auth.js";
import { invoiceEventData } from "./event-payloads.js";
import type { Reply } from "./idempotency.js";
import { createKeyed, type KeyedCreate, type KeyedOutcome } from "./keyed-creates.js";
import { NaturalBatch, refusedByDatabase } from "./natural-batch.js";

const CANCELLABLE: readonly InvoiceStatus[] = ["draft", "pending"];

/** Draft side of invoices: create, read, list, cancel. */
export class InvoiceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock = systemClock,
    /** Whose chain tip gives payments their confirmations. */
    private readonly network = "mainnet",
  ) {}

  /**
   * One lane per store and one statement at a time in it: the store's number row serializes a
   * store's creates anyway, so a second statement would only wait for the first's lock.
   */
  private readonly creates = new NaturalBatch<NewDraft, InvoiceRecord>(
    (storeId, drafts) => this.db.repos().invoices.insertMany(storeId, drafts),
    // Run again alone only what surely did not commit: a create must never be made twice.
    { maxItems: 64, inFlight: 1, retryAlone: refusedByDatabase },
  );

  /** Creates with an Idempotency-Key, batched the same way, one transaction per batch. */
  private readonly keyedCreates = new NaturalBatch<KeyedCreate, KeyedOutcome>(
    (storeId, creates) => this.db.transaction((repos) => createKeyed(repos, storeId, creates)),
    { maxItems: 64, inFlight: 1 },
  );

  /**
   * Reads by ref, number or id, one lane per kind: lookups that arrive while one is in flight are read
   * together (a lookup never joins a statement already sent, so it sees every write that finished
   * before it was asked). Two statements at a time, so one's round trip overlaps the next; measured:
   * within noise of one, and four were worse (smaller batches for the same work). The same invoice
   * asked twice in one batch (polls of one invoice) is read once.
   */
  private readonly lookups = new NaturalBatch<{ storeId: string; lookup: InvoiceLookup }, InvoiceRecord | null>(
    (by, keys) => this.db.repos().invoices.findMany(by as InvoiceLookup["by"], keys),
    { maxItems: 100, inFlight: 2, sameAs: (k) => `${k.storeId} ${JSON.stringify(k.lookup)}` },
  );

  /**
   * Pages of invoice versions, read together the same way (the dashboards' and plugins' polls);
   * the same page asked twice in one batch is read once.
   */
  private readonly pages = new NaturalBatch<InvoiceListQuery, InvoicePage>(
    (_lane, queries) => this.db.repos().invoices.listMany(queries),
    { maxItems: 50, inFlight: 2, sameAs: (q) => `${q.storeId} ${q.status} ${q.limit} ${q.offset}` },
  );

  /** Validates and totals the body BEFORE touching the database, so bad input writes and consumes nothing. */
  prepare(auth: StoreScope, body: CreateInvoiceBody): NewInvoice {
    const totals = computeTotals(parseTotalsInput(body), body.currency ?? auth.store.defaultCurrency);
    const taxRate = body.tax_rate === undefined ? null : Decimal.from(body.tax_rate, "tax_rate").toString();
    return {
      customerEmail: body.customer_email ?? null,
      customerName: body.customer_name ?? null,
      customerCompany: body.customer_company ?? null,
      currency: totals.currency,
      subtotal: totals.subtotal,
      taxRate,
      taxAmount: totals.tax_amount,
      discountAmount: totals.discount_amount,
      total: totals.total,
      notes: body.notes ?? "",
      paymentMethods: (body.payment_methods ?? ["onchain_btc"]) as PaymentMethod[],
      metadata: (body.metadata ?? {}) as Record<string, unknown>,
      redirectUrl: body.redirect_url ?? null,
      requiredConfirmations: body.required_confirmations ?? auth.store.requiredConfirmations,
      underpaymentTolerancePercent: auth.store.underpaymentTolerancePercent,
      lines: totals.lines.map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unitPrice: l.unit_price,
        amount: l.amount,
      })),
    };
  }

  /**
   * Inserts a prepared invoice and its `invoice.created` event in one statement that also takes the
   * store's next invoice number, so concurrent creates get distinct numbers, a create that rolls
   * back consumes none, and no invoice is ever kept without its event (no transaction needed).
   * Inside the caller's transaction (idempotent creates, Greenfield, payment links).
   */
  async insert(repos: Repositories, auth: StoreScope, invoice: NewInvoice): Promise<InvoiceRecord> {
    return repos.invoices.insert(auth.store.id, draft(auth, invoice));
  }

  /**
   * The same on its own (no transaction of the caller's): creates that arrive for one store while
   * another is being written leave together as one statement and one commit (services/natural-batch.ts).
   */
  create(auth: StoreScope, invoice: NewInvoice): Promise<InvoiceRecord> {
    return this.creates.submit(auth.store.id, draft(auth, invoice));
  }

  /**
   * The same once per Idempotency-Key (see `idempotent`): the first create under a key is inserted
   * and its reply stored, a retry gets that reply verbatim, and the key with another request is
   * refused. `reply` makes the response from the inserted invoice, inside the transaction.
   */
  async createOnce(
    auth: StoreScope,
    invoice: NewInvoice,
    once: { key: string; requestHash: string },
    reply: (invoice: InvoiceRecord) => Reply,
  ): Promise<Reply> {
    const outcome = await this.keyedCreates.submit(auth.store.id, { draft: draft(auth, invoice), ...once, reply });
    if ("error" in outcome) throw outcome.error;
    return outcome.reply;
  }

  async get(auth: AuthContext, ref: string): Promise<InvoiceRecord> {
    const lookup = parseInvoiceLookup(ref);
    const invoice = await this.lookups.submit(lookup.by, { storeId: auth.store.id, lookup });
    if (!invoice) throw notFound(ref);
    return invoice;
  }

  /** The invoice with every payment ever seen for it and the tip that gives their confirmations. */
  async getWithPayments(
    auth: AuthContext,
    ref: string,
  ): Promise<{ invoice: InvoiceRecord; payments: StoredPayment[]; tipHeight: number | null }> {
    const repos = this.db.repos();
    const invoice = await this.get(auth, ref);
    const [payments, tip] = await Promise.all([repos.chain.payments(invoice.id), repos.chain.tip(this.network)]);
    return { invoice, payments, tipHeight: tip?.height ?? null };
  }

  /** A page as invoice versions (see `InvoiceVersion`) with the total; `byIds` reads the invoices. */
  list(auth: AuthContext, filter: { status?: InvoiceStatus; limit: number; offset: number }): Promise<InvoicePage> {
    return this.pages.submit("list", { storeId: auth.store.id, ...filter });
  }

  byIds(auth: AuthContext, ids: readonly number[]): Promise<{ invoice: InvoiceRecord; version: string }[]> {
    return this.db.repos().invoices.findVersions(auth.store.id, ids);
  }

  /** draft/pending -> cancelled. Anything else (including cancelling twice) is refused. */
  async cancel(auth: StoreScope, ref: string): Promise<InvoiceRecord> {
    return this.db.transaction((repos) => this.cancelIn(repos, auth, ref));
  }

  /** The same inside the caller's transaction (a Greenfield mark cancels and records itself at once). */
  async cancelIn(repos: Repositories, auth: StoreScope, ref: string): Promise<InvoiceRecord> {
    const invoice = await repos.invoices.findForUpdate(auth.store.id, parseInvoiceLookup(ref));
    if (!invoice) throw notFound(ref);
    if (!CANCELLABLE.includes(invoice.status)) {
      throw new ValidationError(
        `invoice ${invoice.invoiceNumber} is ${invoice.status} and cannot be cancelled; only draft and pending invoices can`,
      );
    }
    await repos.invoices.setStatus(invoice.id, "cancelled");
    // The reference releases the address back to the pool; only when no payment to it was ever
    // seen, and it is handed out again only after a quarantine (docs/address-policy.md).
    if (invoice.status === "pending") await repos.addresses.release(invoice.id, this.clock.now());
    const cancelled: InvoiceRecord = { ...invoice, status: "cancelled" };
    await repos.chain.appendEvents([outboxEvent("invoice.cancelled", cancelled)]);
    return cancelled;
  }
}

function outboxEvent(type: string, inv: InvoiceRecord): NewOutboxEvent {
  return {
    storeId: inv.storeId,
    type,
    invoiceId: inv.id,
    data: invoiceEventData({
      ref: inv.ref,
      invoiceNumber: inv.invoiceNumber,
      status: inv.status,
      total: inv.total,
      amountPaid: inv.amountPaid,
      currency: inv.currency,
      dueSats: inv.quote?.btcAmountSats ?? null,
      paidSats: inv.paidSats,
      flags: inv.flags,
    }),
  };
}

function notFound(ref: string): NotFoundError {
  return new NotFoundError(`invoice "${ref}" not found`);
}

/** Everything but the number is known before the insert; the statement writes the number it takes. */
function draft(auth: StoreScope, invoice: NewInvoice): NewDraft {
  const ref = newInvoiceRef();
  const data = invoiceEventData({
    ref,
    invoiceNumber: "",
    status: "draft",
    total: invoice.total,
    amountPaid: "0",
    currency: invoice.currency,
    dueSats: null,
    paidSats: 0n,
    flags: [],
  });
  return { ref, invoicePrefix: auth.store.invoicePrefix, invoice, created: { type: "invoice.created", data } };
}
