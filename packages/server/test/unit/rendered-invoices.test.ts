import { describe, expect, it } from "vitest";
import type { InvoiceRecord } from "../../src/domain/invoice.js";
import { RenderedInvoices } from "../../src/http/rendered-invoices.js";
import type { AuthContext } from "../../src/services/auth.js";
import type { InvoiceService } from "../../src/services/invoices.js";

const ORIGIN = "http://shop.example";
const auth = {} as AuthContext;

function record(id: number, notes: string): InvoiceRecord {
  return {
    id,
    storeId: "s",
    ref: `REF${id}`,
    invoiceNumber: `INV-${id}`,
    status: "draft",
    customerEmail: null,
    customerName: null,
    customerCompany: null,
    currency: "USD",
    subtotal: "1",
    taxRate: null,
    taxAmount: "0",
    discountAmount: "0",
    total: "1",
    amountPaid: "0",
    requiredConfirmations: 1,
    underpaymentTolerancePercent: "0",
    paidSats: 0n,
    flags: [],
    quote: null,
    notes,
    paymentMethods: ["onchain_btc"],
    metadata: {},
    redirectUrl: null,
    createdAt: new Date(0),
    lines: [],
  };
}

/** A store whose invoices' rows (notes and version) the test changes; counts reads of invoices. */
function fakeStore(rows: Map<number, { notes: string; version: string }>) {
  const calls = { list: 0, byIds: 0 };
  const service = {
    async list() {
      calls.list++;
      const page = [...rows.keys()].sort((a, b) => b - a).map((id) => ({ id, version: rows.get(id)!.version }));
      return { page, total: rows.size };
    },
    async byIds(_auth: AuthContext, ids: readonly number[]) {
      calls.byIds++;
      await new Promise((r) => setTimeout(r, 5)); // a read takes a while: others arrive meanwhile
      return ids.map((id) => ({ invoice: record(id, rows.get(id)!.notes), version: rows.get(id)!.version }));
    },
  } as unknown as InvoiceService;
  return { service, calls };
}

const twoInvoices = () =>
  new Map([
    [1, { notes: "a", version: "10" }],
    [2, { notes: "b", version: "11" }],
  ]);

const notesOf = (json: Buffer) => (JSON.parse(json.toString()) as { notes: string }[]).map((i) => i.notes);
const filter = { limit: 50, offset: 0 };

describe("RenderedInvoices", () => {
  it("renders a page once for requests that arrive while it is being rendered", async () => {
    const rows = twoInvoices();
    const { service, calls } = fakeStore(rows);
    const rendered = new RenderedInvoices();
    const pages = await Promise.all(Array.from({ length: 20 }, () => rendered.page(service, auth, filter, ORIGIN)));
    expect(calls.byIds).toBe(1);
    for (const p of pages) expect(notesOf(p.json)).toEqual(["b", "a"]);
  });

  it("reads only what changed, and never serves a page for versions it does not show", async () => {
    const rows = twoInvoices();
    const { service, calls } = fakeStore(rows);
    const rendered = new RenderedInvoices();
    await rendered.page(service, auth, filter, ORIGIN);
    const again = await rendered.page(service, auth, filter, ORIGIN);
    expect(notesOf(again.json)).toEqual(["b", "a"]);
    expect(calls).toEqual({ list: 2, byIds: 1 });
    rows.set(1, { notes: "a2", version: "12" });
    expect(notesOf((await rendered.page(service, auth, filter, ORIGIN)).json)).toEqual(["b", "a2"]);
    expect(calls.byIds).toBe(2);
    // Another host is another rendering (checkout_url is absolute).
    const other = await rendered.page(service, auth, filter, "http://other.example");
    expect(calls.byIds).toBe(3);
    expect(JSON.parse(other.json.toString())[0].checkout_url).toBeNull(); // a draft has no checkout
  });

  it("keeps whole pages within its byte bound, oldest out first", async () => {
    const rows = new Map([[1, { notes: "x".repeat(200), version: "1" }]]);
    const { service, calls } = fakeStore(rows);
    const rendered = new RenderedInvoices(10_000, 1_000); // room for two pages of ~450 bytes
    for (const origin of ["http://a", "http://b", "http://c"]) {
      await rendered.page(service, auth, filter, origin); // rendered (read)
      await rendered.page(service, auth, filter, origin); // every version as listed: the page is kept
      expect(rendered.keptPageBytes).toBeGreaterThan(0);
      expect(rendered.keptPageBytes).toBeLessThanOrEqual(1_000);
    }
    expect(calls.byIds).toBe(3);
    // Every invoice rendering is still kept, so "a"'s page is rebuilt from them without a read.
    const a = await rendered.page(service, auth, filter, "http://a");
    expect(calls.byIds).toBe(3);
    expect(notesOf(a.json)).toEqual(["x".repeat(200)]);
  });
});
