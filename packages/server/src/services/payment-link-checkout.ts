import { createHash } from "node:crypto";
import { NotFoundError, RateLimitedError, ValidationError } from "../domain/errors.js";
import type { InvoiceRecord } from "../domain/invoice.js";
import { type PaymentLinkRecord, parseLinkAmount } from "../domain/payment-link.js";
import type { Logger } from "../logger.js";
import type { Clock, Database, StoreRecord } from "../ports.js";
import type { StoreScope } from "./auth.js";
import type { FinalizeService } from "./finalize.js";
import type { InvoiceService } from "./invoices.js";

export interface LinkView {
  link: PaymentLinkRecord;
  store: StoreRecord;
}

export interface CheckoutView extends LinkView {
  invoice: InvoiceRecord;
}

export interface CheckoutOptions {
  /** Open (unpaid, unexpired) invoices a link may have at once: BTPAY_PAYMENT_LINK_MAX_OPEN_INVOICES. */
  maxOpenInvoices: number;
}

/**
 * A draft lives only between its insert and its finalize a moment later. One older than this was
 * left by a process that died in between; it stops counting against the link's cap.
 */
const DRAFT_GRACE_MS = 10 * 60_000;

const REF_RE = /^[0-9A-F]{8}-[0-9A-F]{8}$/i;

/**
 * The payer side of payment links, without an API key: read an active link, turn a visit into a
 * finalized invoice, read that invoice back. Every address handed out here is bounded twice: a
 * visitor asking again gets their open invoice back, and a link has at most `maxOpenInvoices` open
 * invoices at once (the per-address request limit is the HTTP layer's).
 */
export class PaymentLinkCheckout {
  constructor(
    private readonly db: Database,
    private readonly invoices: InvoiceService,
    private readonly finalizer: FinalizeService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: CheckoutOptions,
  ) {}

  /** The active link with this slug and its store; 404 for an unknown or deactivated slug. */
  async link(slug: string): Promise<LinkView> {
    const repos = this.db.repos();
    const link = await repos.paymentLinks.findBySlug(slug);
    const store = link?.isActive ? await repos.stores.get(link.storeId) : null;
    if (!link || !store) throw linkNotFound(slug);
    return { link, store };
  }

  /**
   * A finalized invoice for the link: `created` false when this visitor's open invoice for the same
   * amount was handed back instead. `amountInput` is the payer's choice (open-amount links only).
   */
  async createInvoice(
    slug: string,
    amountInput: unknown,
    clientAddress: string,
  ): Promise<CheckoutView & { created: boolean }> {
    const { link, store } = await this.link(slug);
    const total = amountFor(link, amountInput);
    const scope: StoreScope = { store };
    const prepared = this.invoices.prepare(scope, {
      currency: link.currency,
      lines: [{ description: link.title, quantity: 1, unit_price: total }],
      payment_methods: link.paymentMethods,
      metadata: { ...link.metadata, payment_link: link.slug },
      ...(link.redirectUrl ? { redirect_url: link.redirectUrl } : {}),
    });
    // The visitor, as far as this link is concerned; the address itself is never stored.
    const clientHash = createHash("sha256").update(`${link.id}\n${clientAddress}`).digest("hex");
    const now = this.clock.now();

    const outcome = await this.db.transaction(async (repos) => {
      const open = await repos.paymentLinks.lockOpenInvoices(
        link.id,
        { clientHash, total },
        now,
        new Date(now.getTime() - DRAFT_GRACE_MS),
      );
      if (!open.isActive) throw linkNotFound(slug);
      if (open.reusableInvoiceId !== null) {
        const reused = await repos.invoices.find(store.id, { by: "id", id: open.reusableInvoiceId });
        if (reused) return { created: false, invoice: reused };
      }
      if (open.open >= this.opts.maxOpenInvoices) {
        const retryAfter = open.nextExpiry ? Math.ceil((open.nextExpiry.getTime() - now.getTime()) / 1000) : 60;
        throw new RateLimitedError(
          Math.max(1, retryAfter),
          "this payment link has too many open invoices, try again in a few minutes",
        );
      }
      const draft = await this.invoices.insert(repos, scope, prepared);
      await repos.paymentLinks.attachInvoice(draft.id, link.id, clientHash);
      return { created: true, invoice: draft };
    });
    if (!outcome.created) return { created: false, invoice: outcome.invoice, link, store };

    // Finalize opens its own transaction. When it fails (no wallet, no fresh rate) the draft is
    // cancelled so no half-made invoice lingers, and the payer gets finalize's answer.
    try {
      const invoice = await this.finalizer.finalize(scope, outcome.invoice.ref);
      return { created: true, invoice, link, store };
    } catch (err) {
      await this.invoices.cancel(scope, outcome.invoice.ref).catch((cancelErr: unknown) => {
        this.logger.error({ err: cancelErr, ref: outcome.invoice.ref }, "could not cancel a payment link draft");
      });
      throw err;
    }
  }

  /**
   * The canonical ref of an invoice created through the link `slug` (checkouts handed out before
   * `/i/{ref}` named both); 404 when the ref is not that link's. One lookup: the caller only
   * redirects to the hosted checkout, which reads the invoice itself.
   */
  async invoiceRefOfLink(ref: string, slug: string): Promise<string> {
    if (!REF_RE.test(ref)) throw invoiceNotFound(ref);
    const found = await this.db.repos().paymentLinks.linkOfInvoice(ref.toUpperCase());
    if (!found || found.link.slug !== slug) throw invoiceNotFound(ref);
    return ref.toUpperCase();
  }
}

/** The link's fixed amount, or the payer's choice for an open-amount link. */
function amountFor(link: PaymentLinkRecord, input: unknown): string {
  const given = input !== undefined && input !== null && input !== "";
  if (link.amount !== null) {
    if (given) throw new ValidationError("this payment link has a fixed amount; do not send one", "amount");
    return link.amount;
  }
  if (!given) {
    throw new ValidationError(`this payment link lets the payer choose: send the amount in ${link.currency}`, "amount");
  }
  return parseLinkAmount(typeof input === "string" ? input.trim() : input, link.currency);
}

// Client text is echoed only when it is short and tame.
const tame = (s: string): boolean => /^[0-9A-Za-z-]{1,64}$/.test(s);
const linkNotFound = (slug: string) =>
  new NotFoundError(tame(slug) ? `payment link "${slug}" not found` : "payment link not found");
const invoiceNotFound = (ref: string) =>
  new NotFoundError(tame(ref) ? `invoice "${ref}" not found` : "invoice not found");
