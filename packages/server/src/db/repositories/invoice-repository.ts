import type { EntityManager } from "@mikro-orm/postgresql";
import type {
  InvoiceLineRecord,
  InvoiceLookup,
  InvoiceRecord,
  InvoiceStatus,
  PaymentMethod,
} from "../../domain/invoice.js";
import type { InvoiceRepository } from "../../ports.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface InvoiceRow {
  id: string;
  store_id: string;
  ref: string;
  invoice_number: string;
  status: string;
  customer_email: string | null;
  customer_name: string | null;
  customer_company: string | null;
  currency: string;
  subtotal: string;
  tax_rate: string | null;
  tax_amount: string;
  discount_amount: string;
  total: string;
  amount_paid: string;
  notes: string;
  payment_methods: string[];
  metadata: Record<string, unknown>;
  created_at: Date | string;
  lines: { d: string; q: string; u: string; a: string }[];
}

// Lines come back in the same round trip, as text so no numeric passes through a JS number.
const SELECT = `select i.id, i.store_id, i.ref, i.invoice_number, i.status, i.customer_email, i.customer_name,
  i.customer_company, i.currency, i.subtotal, i.tax_rate, i.tax_amount, i.discount_amount, i.total,
  i.amount_paid, i.notes, i.payment_methods, i.metadata, i.created_at,
  coalesce((select json_agg(json_build_object('d', l.description, 'q', l.quantity::text, 'u', l.unit_price::text,
    'a', l.amount::text) order by l.position) from invoice_line l where l.invoice_id = i.id), '[]'::json) as lines
  from invoice i`;

function toRecord(r: InvoiceRow): InvoiceRecord {
  return {
    id: Number(r.id),
    storeId: r.store_id,
    ref: r.ref,
    invoiceNumber: r.invoice_number,
    status: r.status as InvoiceStatus,
    customerEmail: r.customer_email,
    customerName: r.customer_name,
    customerCompany: r.customer_company,
    currency: r.currency,
    subtotal: trimNumeric(r.subtotal),
    taxRate: r.tax_rate === null ? null : trimNumeric(r.tax_rate),
    taxAmount: trimNumeric(r.tax_amount),
    discountAmount: trimNumeric(r.discount_amount),
    total: trimNumeric(r.total),
    amountPaid: trimNumeric(r.amount_paid),
    notes: r.notes,
    paymentMethods: r.payment_methods as PaymentMethod[],
    metadata: r.metadata,
    createdAt: toDate(r.created_at),
    lines: r.lines.map(
      (l): InvoiceLineRecord => ({
        description: l.d,
        quantity: trimNumeric(l.q),
        unitPrice: trimNumeric(l.u),
        amount: trimNumeric(l.a),
      }),
    ),
  };
}

function lookupWhere(lookup: InvoiceLookup): [string, unknown] {
  switch (lookup.by) {
    case "id":
      return ["i.id = ?", lookup.id];
    case "ref":
      return ["i.ref = ?", lookup.ref];
    case "number":
      return ["i.invoice_number = ?", lookup.invoiceNumber];
  }
}

export function invoiceRepository(em: EntityManager): InvoiceRepository {
  async function find(storeId: string, lookup: InvoiceLookup, lock: boolean) {
    const [cond, value] = lookupWhere(lookup);
    const sql = `${SELECT} where i.store_id = ? and ${cond}${lock ? " for update of i" : ""}`;
    const r = await row<InvoiceRow>(em, sql, [storeId, value]);
    return r ? toRecord(r) : null;
  }

  return {
    async insert(storeId, ref, invoiceNumber, inv) {
      const created = await row<{ id: string; created_at: Date | string }>(
        em,
        `insert into invoice (store_id, ref, invoice_number, status, customer_email, customer_name, customer_company,
           currency, subtotal, tax_rate, tax_amount, discount_amount, total, notes, payment_methods, metadata)
         values (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?::jsonb) returning id, created_at`,
        [
          storeId,
          ref,
          invoiceNumber,
          inv.customerEmail,
          inv.customerName,
          inv.customerCompany,
          inv.currency,
          inv.subtotal,
          inv.taxRate,
          inv.taxAmount,
          inv.discountAmount,
          inv.total,
          inv.notes,
          `{${inv.paymentMethods.join(",")}}`,
          JSON.stringify(inv.metadata),
        ],
      );
      if (!created) throw new Error("invoice insert returned no row");
      const id = Number(created.id);
      const values = inv.lines.map(() => "(?, ?, ?, ?, ?, ?)").join(", ");
      const params = inv.lines.flatMap((l, i) => [id, i, l.description, l.quantity, l.unitPrice, l.amount]);
      await em.execute(
        `insert into invoice_line (invoice_id, position, description, quantity, unit_price, amount) values ${values}`,
        params,
      );
      return {
        ...inv,
        id,
        storeId,
        ref,
        invoiceNumber,
        status: "draft",
        amountPaid: "0",
        createdAt: toDate(created.created_at),
      };
    },
    find: (storeId, lookup) => find(storeId, lookup, false),
    findForUpdate: (storeId, lookup) => find(storeId, lookup, true),
    async list(storeId, { status, limit, offset }) {
      const where = status === undefined ? "i.store_id = ?" : "i.store_id = ? and i.status = ?";
      const params = status === undefined ? [storeId] : [storeId, status];
      const page = await rows<InvoiceRow>(em, `${SELECT} where ${where} order by i.id desc limit ? offset ?`, [
        ...params,
        limit,
        offset,
      ]);
      const count = await row<{ n: string }>(em, `select count(*) as n from invoice i where ${where}`, params);
      return { invoices: page.map(toRecord), total: Number(count?.n ?? 0) };
    },
    async setStatus(id, status) {
      await em.execute("update invoice set status = ?, updated_at = now() where id = ?", [status, id]);
    },
  };
}
