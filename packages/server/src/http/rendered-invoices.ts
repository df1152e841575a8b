import type { InvoiceStatus } from "../domain/invoice.js";
import type { AuthContext } from "../services/auth.js";
import type { InvoiceService } from "../services/invoices.js";
import { serializeInvoice } from "./serializers/invoice.js";

/**
 * Invoices as the API renders them (JSON text), kept by row version. A list reads only the page's
 * ids and versions; an invoice whose version was rendered before is not read, decoded, serialized
 * or stringified again. A version is Postgres's `xmin`, which every update of the row changes, so
 * a rendering is never served for a state it does not show, whichever process changed the invoice.
 * (Lines are written once, with the invoice, and never change.) Whole pages are kept too, as UTF-8
 * keyed by the ids and versions they show, so an unchanged page is neither joined nor encoded
 * again. Both bounded: oldest out first.
 */
export class RenderedInvoices {
  private readonly entries = new Map<string, string>();
  /** Whole pages as UTF-8, keyed by origin and the page's ids and versions: one per dashboard view. */
  private readonly pages = new Map<string, Buffer>();
  private pageBytes = 0;
  private readonly rendering = new Map<string, Promise<Buffer>>();

  constructor(
    private readonly max = 10_000,
    private readonly maxPageBytes = 8 * 1024 * 1024,
  ) {}

  /** Bytes of whole pages kept (bounded by `maxPageBytes`). */
  get keptPageBytes(): number {
    return this.pageBytes;
  }

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
   * The page's invoices as one JSON array (UTF-8), and the filter's total. `origin` is part of the
   * key: it makes `checkout_url` absolute.
   */
  async page(
    invoices: InvoiceService,
    auth: AuthContext,
    filter: { status?: InvoiceStatus; limit: number; offset: number },
    origin: string,
  ): Promise<{ json: Buffer; total: number }> {
    const { page, total } = await invoices.list(auth, filter);
    const pageKey = `${origin} ${page.map((v) => `${v.id}:${v.version}`).join(",")}`;
    const json =
      this.pages.get(pageKey) ?? (await this.once(pageKey, () => this.render(invoices, auth, page, origin, pageKey)));
    return { json, total };
  }

  /**
   * One rendering per page at a time: requests for a page being rendered wait for it. Without this,
   * every dashboard open when a page first changes reads and renders the same invoices at once.
   */
  private async once(pageKey: string, render: () => Promise<Buffer>): Promise<Buffer> {
    let pending = this.rendering.get(pageKey);
    if (!pending) {
      pending = render().finally(() => this.rendering.delete(pageKey));
      this.rendering.set(pageKey, pending);
    }
    return pending;
  }

  private async render(
    invoices: InvoiceService,
    auth: AuthContext,
    page: { id: number; version: string }[],
    origin: string,
    pageKey: string,
  ): Promise<Buffer> {
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
    const json = Buffer.from(`[${rendered.filter((r) => r !== undefined).join(",")}]`);
    // Kept only when every invoice was rendered at the version listed, so a kept page is exactly
    // what its key names (a fresh read may have found newer versions).
    if (missing.length === 0) this.keepPage(pageKey, json);
    return json;
  }

  private keepPage(key: string, json: Buffer): void {
    if (json.length > this.maxPageBytes) return;
    while (this.pageBytes + json.length > this.maxPageBytes) {
      const [oldest, bytes] = this.pages.entries().next().value as [string, Buffer];
      this.pages.delete(oldest);
      this.pageBytes -= bytes.length;
    }
    this.pages.set(key, json);
    this.pageBytes += json.length;
  }
}
