import type {
  InvoiceLineRecord,
  InvoiceLookup,
  InvoiceRecord,
  InvoiceStatus,
  PaymentMethod,
} from "../../domain/invoice.js";
import type { InvoiceFlag } from "../../domain/lifecycle.js";
import type { InvoiceRepository } from "../../ports.js";
import { PAYMENTS_JSON, type PaymentJson, toPayment } from "./chain-repository.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";
import { toWalletRecord, type WalletRow } from "./wallet-repository.js";

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
const COLUMNS = `i.id, i.store_id, i.ref, i.invoice_number, i.status, i.customer_email, i.customer_name,
  i.customer_company, i.currency, i.subtotal, i.tax_rate, i.tax_amount, i.discount_amount, i.total,
  i.amount_paid, i.btc_rate, i.btc_amount_sats, i.btc_rate_sources, i.btc_rate_at, i.payment_address, i.finalized_at,
  i.expires_at, i.monitoring_until, i.required_confirmations, i.underpayment_tolerance_percent, i.paid_sats, i.flags,
  i.notes, i.payment_methods, i.metadata, i.redirect_url, i.created_at,
  coalesce((select json_agg(json_build_object('d', l.description, 'q', l.quantity::text, 'u', l.unit_price::text,
    'a', l.amount::text) order by l.position) from invoice_line l where l.invoice_id = i.id), '[]'::json) as lines`;
const SELECT = `select ${COLUMNS} from invoice i`;

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

export function invoiceRepository(em: Sql): InvoiceRepository {
  async function find(storeId: string, lookup: InvoiceLookup, lock: boolean) {
    const [cond, value] = lookupWhere(lookup);
    const sql = `${SELECT} where i.store_id = ? and ${cond}${lock ? " for update of i" : ""}`;
    const r = await row<InvoiceRow>(em, sql, [storeId, value]);
    return r ? toRecord(r) : null;
  }

  async function findWithWallet(storeId: string, lookup: InvoiceLookup, lock: boolean) {
    // The store's active wallet rides along as JSON: finalize needs both, one round trip.
    const [cond, value] = lookupWhere(lookup);
    const r = await row<InvoiceRow & { wallet: WalletRow | null }>(
      em,
      `select ${COLUMNS}, (select to_json(w) from wallet w where w.store_id = i.store_id and w.active) as wallet
       from invoice i where i.store_id = ? and ${cond}${lock ? " for update of i" : ""}`,
      [storeId, value],
    );
    if (!r) return null;
    return { invoice: toRecord(r), wallet: r.wallet ? toWalletRecord(r.wallet) : null };
  }

  return {
    async insert(storeId, ref, invoicePrefix, inv, createdEvent) {
      // One statement takes the store's next number (locking the store row until commit, so
      // concurrent creates serialize only here and a rollback returns the number), inserts the
      // invoice, its lines and its outbox event. Outside a transaction that is one round trip and
      // one commit, so the store row is locked for one statement's execution only, not for the
      // time this process takes to send a second statement and a COMMIT under load.
      // Numbers print with at least 4 digits: INV-0001 ... INV-10000.
      const created = await row<{ id: string; invoice_number: string; created_at: Date | string }>(
        em,
        `with n as (
           update store set next_invoice_number = next_invoice_number + 1 where id = ?
           returning next_invoice_number - 1 as n
         ), i as (
           insert into invoice (store_id, ref, invoice_number, status, customer_email, customer_name, customer_company,
             currency, subtotal, tax_rate, tax_amount, discount_amount, total, notes, payment_methods, metadata,
             required_confirmations, underpayment_tolerance_percent, redirect_url)
           select ?, ?, ?::text || case when n.n < 10000 then lpad(n.n::text, 4, '0') else n.n::text end, 'draft',
             ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::text[], ?::jsonb, ?, ?, ?
           from n
           returning id, invoice_number, created_at
         ), l as (
           insert into invoice_line (invoice_id, position, description, quantity, unit_price, amount)
           select i.id, v.position, v.description, v.quantity, v.unit_price, v.amount
           from i, jsonb_to_recordset(?::jsonb) as v(position int, description text, quantity numeric,
             unit_price numeric, amount numeric)
         ), e as (
           insert into outbox_event (store_id, type, invoice_id, data)
           select ?, ?, i.id, jsonb_set(?::jsonb, '{invoice_number}', to_jsonb(i.invoice_number)) from i
         )
         select id, invoice_number, created_at from i`,
        [
          storeId,
          storeId,
          ref,
          invoicePrefix,
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
          inv.requiredConfirmations,
          inv.underpaymentTolerancePercent,
          inv.redirectUrl,
          // Amounts travel as JSON strings and are cast to numeric by Postgres: exact all the way.
          JSON.stringify(
            inv.lines.map((l, position) => ({
              position,
              description: l.description,
              quantity: l.quantity,
              unit_price: l.unitPrice,
              amount: l.amount,
            })),
          ),
          storeId,
          createdEvent.type,
          JSON.stringify(createdEvent.data),
        ],
      );
      if (!created) throw new Error(`store ${storeId} not found while inserting an invoice`);
      return {
        ...inv,
        id: Number(created.id),
        storeId,
        ref,
        invoiceNumber: created.invoice_number,
        status: "draft",
        amountPaid: "0",
        paidSats: 0n,
        flags: [],
        quote: null,
        createdAt: toDate(created.created_at),
      };
    },
    find: (storeId, lookup) => find(storeId, lookup, false),
    findForUpdate: (storeId, lookup) => find(storeId, lookup, true),
    findForUpdateWithWallet: (storeId, lookup) => findWithWallet(storeId, lookup, true),
    findWithWallet: (storeId, lookup) => findWithWallet(storeId, lookup, false),
    async list(storeId, { status, limit, offset }) {
      // `total` comes from the per-status counts a trigger keeps (migration 2), not count(*): counting a
      // store's invoices would grow with its history; summing at most seven rows does not. The page
      // is ids (an index-only scan, so skipping `offset` rows costs index entries, not row reads) and
      // then the row versions of those ids alone.
      const filter = status === undefined ? "store_id = ?" : "store_id = ? and status = ?";
      const params = status === undefined ? [storeId] : [storeId, status];
      const r = await row<{ total: string; page: string[] }>(
        em,
        `select (select coalesce(sum(n), 0) from invoice_status_count where ${filter})::text as total,
           array(select i.id::text || ':' || i.xmin::text
                 from (select id from invoice where ${filter} order by id desc limit ? offset ?) p
                 join invoice i on i.id = p.id order by i.id desc) as page`,
        [...params, ...params, limit, offset],
      );
      const page = (r?.page ?? []).map((entry) => {
        const at = entry.indexOf(":");
        return { id: Number(entry.slice(0, at)), version: entry.slice(at + 1) };
      });
      return { page, total: Number(r?.total ?? 0) };
    },
    async findVersions(storeId, ids) {
      if (ids.length === 0) return [];
      const found = await rows<InvoiceRow & { version: string }>(
        em,
        `${SELECT.replace(" from invoice i", ", i.xmin::text as version from invoice i")}
         where i.store_id = ? and i.id = any(?::bigint[])`,
        [storeId, ids.map(String)],
      );
      return found.map((r) => ({ invoice: toRecord(r), version: r.version }));
    },
    async findPublic(ref, network) {
      const r = await row<InvoiceRow & { store_name: string; payments: PaymentJson[]; tip_height: number | null }>(
        em,
        `select ${COLUMNS}, s.name as store_name, ${PAYMENTS_JSON} as payments,
           (select tip_height from chain_state where network = ?) as tip_height
         from invoice i join store s on s.id = i.store_id
         where i.ref = ? and i.payment_address is not null`,
        [network, ref],
      );
      if (!r) return null;
      return {
        invoice: toRecord(r),
        storeName: r.store_name,
        payments: r.payments.map(toPayment),
        tipHeight: r.tip_height === null ? null : Number(r.tip_height),
      };
    },
    async markFinalized(id, f) {
      await em(
        `update invoice set status = 'pending', btc_rate = ?, btc_amount_sats = ?, btc_rate_sources = ?::text[],
           btc_rate_at = ?, payment_address = ?, finalized_at = ?, expires_at = ?, monitoring_until = ?,
           updated_at = now()
         where id = ? and status = 'draft'`,
        [
          f.btcRate,
          f.btcAmountSats.toString(),
          `{${f.btcRateSources.join(",")}}`,
          f.btcRateAt,
          f.paymentAddress,
          f.finalizedAt,
          f.expiresAt,
          f.monitoringUntil,
          id,
        ],
      );
    },
    async finalizeWithPooledAddress(id, walletId, q) {
      const r = await row<{ address: string; chain: number; derivation_index: number }>(
        em,
        // `d` first locks the invoice if it is still a draft (after waiting for a concurrent finalize
        // or cancel, Postgres re-checks the status): no draft, no address claimed. So outside a
        // transaction too, an address is never claimed for an invoice that then is not updated.
        `with d as (
           select id from invoice where id = ? and status = 'draft' for update
         ), a as (
           update address set state = 'assigned', invoice_id = ?
           where id = (
             select id from address where wallet_id = ? and state = 'available'
             order by chain, derivation_index limit 1 for update skip locked
           ) and exists (select 1 from d)
           returning address, chain, derivation_index
         ), i as (
           update invoice set status = 'pending', btc_rate = ?, btc_amount_sats = ?, btc_rate_sources = ?::text[],
             btc_rate_at = ?, payment_address = a.address, finalized_at = ?, expires_at = ?, monitoring_until = ?,
             updated_at = now()
           from a where invoice.id = ? and invoice.status = 'draft'
           returning invoice.id
         )
         select a.address, a.chain, a.derivation_index from a join i on true`,
        [
          id,
          id,
          walletId,
          q.btcRate,
          q.btcAmountSats.toString(),
          `{${q.btcRateSources.join(",")}}`,
          q.btcRateAt,
          q.finalizedAt,
          q.expiresAt,
          q.monitoringUntil,
          id,
        ],
      );
      return r ? { address: r.address, chain: Number(r.chain), index: Number(r.derivation_index) } : null;
    },
    async setStatus(id, status) {
      await em("update invoice set status = ?, updated_at = now() where id = ?", [status, id]);
    },
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
