import { normalizeCurrency } from "../domain/currency.js";
import { NotFoundError, ValidationError } from "../domain/errors.js";
import { newInvoiceRef } from "../domain/ids.js";
import type { PaymentMethod } from "../domain/invoice.js";
import {
  type NewPaymentLink,
  type PaymentLinkRecord,
  parseLinkAmount,
  slugCandidate,
  slugify,
  slugStem,
} from "../domain/payment-link.js";
import type { CreatePaymentLinkBody } from "../http/generated/openapi.js";
import type { Database, Repositories } from "../ports.js";
import type { StoreScope } from "./auth.js";

export interface PreparedPaymentLink {
  /** The slug the merchant asked for, or null to generate one from the title. */
  slug: string | null;
  link: NewPaymentLink;
}

/** A concurrent create can take a generated slug between our read and our insert; then we look again. */
const SLUG_ATTEMPTS = 10;

/** The merchant side of payment links: create, list, deactivate. */
export class PaymentLinkService {
  constructor(private readonly db: Database) {}

  /** Validates the body BEFORE touching the database, so bad input writes nothing. */
  prepare(auth: StoreScope, body: CreatePaymentLinkBody): PreparedPaymentLink {
    const title = body.title.trim();
    if (!title) throw new ValidationError("must not be blank", "title");
    const currency = normalizeCurrency(body.currency ?? auth.store.defaultCurrency);
    const amount = body.amount === undefined || body.amount === null ? null : parseLinkAmount(body.amount, currency);
    return {
      slug: body.slug ?? null,
      link: {
        title,
        description: body.description?.trim() || null,
        amount,
        currency,
        paymentMethods: (body.payment_methods ?? ["onchain_btc"]) as PaymentMethod[],
        redirectUrl: body.redirect_url === undefined ? null : redirectUrl(body.redirect_url),
        metadata: (body.metadata ?? {}) as Record<string, unknown>,
      },
    };
  }

  /**
   * Inserts a prepared link. An explicit slug taken by any store is refused; a generated one takes
   * the first free of `slug`, `slug-2`, `slug-3`, ... (slugs are unique across the server).
   */
  async insert(repos: Repositories, auth: StoreScope, prepared: PreparedPaymentLink): Promise<PaymentLinkRecord> {
    const links = repos.paymentLinks;
    if (prepared.slug !== null) {
      const created = await links.insert(auth.store.id, newInvoiceRef(), prepared.slug, prepared.link);
      if (!created) {
        throw new ValidationError(
          `"${prepared.slug}" is taken; choose another or omit it to have one generated`,
          "slug",
        );
      }
      return created;
    }
    const base = slugify(prepared.link.title);
    for (let attempt = 0; attempt < SLUG_ATTEMPTS; attempt++) {
      const taken = new Set(await links.slugsStartingWith(slugStem(base)));
      let n = 1;
      while (taken.has(slugCandidate(base, n))) n++;
      const created = await links.insert(auth.store.id, newInvoiceRef(), slugCandidate(base, n), prepared.link);
      if (created) return created;
    }
    throw new Error(`no free slug for "${base}" after ${SLUG_ATTEMPTS} attempts`);
  }

  list(auth: StoreScope): Promise<PaymentLinkRecord[]> {
    return this.db.repos().paymentLinks.list(auth.store.id);
  }

  /** Soft delete: the link stops accepting payments; invoices already created stay payable. */
  async deactivate(auth: StoreScope, slug: string): Promise<void> {
    if (!(await this.db.repos().paymentLinks.deactivate(auth.store.id, slug))) {
      throw new NotFoundError(`payment link "${slug}" not found`);
    }
  }
}

/** The spec's pattern already asks for http(s); this also refuses what does not parse as a URL. */
function redirectUrl(value: string): string {
  const parsed = URL.canParse(value) ? new URL(value) : null;
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || !parsed.hostname) {
    throw new ValidationError("must be an absolute http or https URL", "redirect_url");
  }
  return value;
}
