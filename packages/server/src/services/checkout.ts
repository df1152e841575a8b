import { NotFoundError } from "../domain/errors.js";
import type { Database, PublicInvoice } from "../ports.js";

const REF_RE = /^[0-9A-F]{8}-[0-9A-F]{8}$/i;

/**
 * The payer's read of an invoice, without an API key: any finalized invoice by its ref (64 random
 * bits; never by number or id, which can be guessed). What the hosted checkout and
 * `<btpay-invoice>` poll, so it is one database round trip.
 */
export class CheckoutService {
  constructor(
    private readonly db: Database,
    /** Whose chain tip gives payments their confirmations. */
    private readonly network: string,
  ) {}

  async invoice(ref: string): Promise<PublicInvoice> {
    if (!REF_RE.test(ref)) throw invoiceNotFound(ref);
    const found = await this.db.repos().invoices.findPublic(ref.toUpperCase(), this.network);
    if (!found) throw invoiceNotFound(ref);
    return found;
  }
}

// Client text is echoed only when it is short and tame.
const invoiceNotFound = (ref: string) =>
  new NotFoundError(/^[0-9A-Za-z-]{1,64}$/.test(ref) ? `invoice "${ref}" not found` : "invoice not found");
