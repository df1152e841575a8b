import type { InvoiceStatus } from "../domain/invoice.js";
import type { AuthContext } from "../services/auth.js";
import type { InvoiceService } from "../services/invoices.js";
import { serializeInvoice } from "./serializers/invoice.js";

/**
 * Invoices as the API renders them (JSON text), kept by row version. A list reads only the page's
 * ids and versions; an invoice whose version was rendered before is not read, decoded, serialized
 * or stringified again. A version is Postgres's `xmin`, which every update of the row changes, so
 * a rendering is never served for a state it does not show, whichever process changed the invoice.
 * (Lines are written once, with the invoice, and never change.) Bounded: oldest out first.
 */
export class RenderedInvoices {
  private readonly entries = new Map<string, string>();

  constructor(private readonly max = 10_000) {}

  private get(key: string): string | undefined {
    return this.entries.get(key);
  }

  private set(key: string, json: string): void {
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, json);
  }

  /**
   * The page's invoices as one JSON array text, and the filter's total. `origin` is part of the
   * key: it makes `checkout_url` absolute.
   */
  async page(
    invoices: InvoiceService,
    auth: AuthContext,
    filter: { status?: InvoiceStatus; limit: number; offset: number },
    origin: string,
  ): Promise<{ json: string; total: number }> {
    const { page, total } = await invoices.list(auth, filter);
    const key = (id: number, version: string) => `${origin} ${id}:${version}`;
    const rendered = page.map((v) => this.get(key(v.id, v.version)));
    const missing = page.filter((_, i) => rendered[i] === undefined).map((v) => v.id);
    if (missing.length > 0) {
      const fresh = new Map<number, string>();
      for (const { invoice, version } of await invoices.byIds(auth, missing)) {
        const json = JSON.stringify(serializeInvoice(invoice, origin));
        this.set(key(invoice.id, version), json);
        fresh.set(invoice.id, json);
      }
      // Read just now, so possibly a newer version than the page listed: newer is what we show.
      page.forEach((v, i) => {
        rendered[i] ??= fresh.get(v.id);
      });
    }
    return { json: `[${rendered.filter((r) => r !== undefined).join(",")}]`, total };
  }
}
