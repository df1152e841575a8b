import type { InvoiceLineRecord, InvoiceRecord, InvoiceStatus, PaymentMethod } from "../../domain/invoice.js";
import type { InvoiceFlag } from "../../domain/lifecycle.js";
import type { Sql } from "./sql.js";
import { rows, toDate, trimNumeric } from "./sql.js";

// An invoice row as the repositories read it, and its mapping to the domain's record.

export interface InvoiceRow {
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
  btc_rate: string | null;
  btc_amount_sats: string | null;
  btc_rate_sources: string[] | null;
  btc_rate_at: Date | string | null;
  payment_address: string | null;
  finalized_at: Date | string | null;
  expires_at: Date | string | null;
  monitoring_until: Date | string | null;
  required_confirmations: number;
  underpayment_tolerance_percent: string;
  paid_sats: string;
  flags: string[];
  notes: string;
  payment_methods: string[];
  metadata: Record<string, unknown>;
  redirect_url: string | null;
  created_at: Date | string;
  lines: { d: string; q: string; u: string; a: string }[];
}

// Lines come back in the same round trip, as text so no numeric passes through a JS number.
export const COLUMNS = `i.id, i.store_id, i.ref, i.invoice_number, i.status, i.customer_email, i.customer_name,
  i.customer_company, i.currency, i.subtotal, i.tax_rate, i.tax_amount, i.discount_amount, i.total,
  i.amount_paid, i.btc_rate, i.btc_amount_sats, i.btc_rate_sources, i.btc_rate_at, i.payment_address, i.finalized_at,
  i.expires_at, i.monitoring_until, i.required_confirmations, i.underpayment_tolerance_percent, i.paid_sats, i.flags,
  i.notes, i.payment_methods, i.metadata, i.redirect_url, i.created_at,
  coalesce((select json_agg(json_build_object('d', l.description, 'q', l.quantity::text, 'u', l.unit_price::text,
    'a', l.amount::text) order by l.position) from invoice_line l where l.invoice_id = i.id), '[]'::json) as lines`;
export const SELECT = `select ${COLUMNS} from invoice i`;

export function toRecord(r: InvoiceRow): InvoiceRecord {
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
    requiredConfirmations: Number(r.required_confirmations),
    underpaymentTolerancePercent: trimNumeric(r.underpayment_tolerance_percent),
    paidSats: BigInt(r.paid_sats),
    flags: r.flags as InvoiceFlag[],
    quote:
      r.payment_address === null || r.btc_rate === null || r.btc_amount_sats === null
        ? null
        : {
            btcRate: trimNumeric(r.btc_rate),
            btcAmountSats: BigInt(r.btc_amount_sats),
            btcRateSources: r.btc_rate_sources ?? [],
            btcRateAt: toDate(r.btc_rate_at as Date | string),
            paymentAddress: r.payment_address,
            finalizedAt: toDate(r.finalized_at as Date | string),
            expiresAt: toDate(r.expires_at as Date | string),
            monitoringUntil: toDate((r.monitoring_until ?? r.expires_at) as Date | string),
          },
    notes: r.notes,
    paymentMethods: r.payment_methods as PaymentMethod[],
    metadata: r.metadata,
    redirectUrl: r.redirect_url,
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

/**
 * Invoices matching `where` (over `invoice i`) with `extraColumns` of their row beside the record,
 * for repositories that keep more per invoice (the Greenfield API's checkout options and marks).
 * `suffix` carries ORDER BY / LIMIT / FOR UPDATE.
 */
export async function selectInvoicesWith<E>(
  em: Sql,
  extraColumns: string,
  where: string,
  params: readonly unknown[],
  suffix = "",
): Promise<{ invoice: InvoiceRecord; extra: E }[]> {
  const found = await rows<InvoiceRow & E>(
    em,
    `select ${COLUMNS}, ${extraColumns} from invoice i where ${where} ${suffix}`,
    params,
  );
  return found.map((r) => ({ invoice: toRecord(r), extra: r }));
}
