import type { InvoiceLookup, InvoiceRecord } from "../../domain/invoice.js";
import type { InvoiceRepository, NewDraft } from "../../ports.js";
import { PAYMENTS_JSON, type PaymentJson, toPayment } from "./chain-repository.js";
import { COLUMNS, type InvoiceRow, SELECT, toRecord } from "./invoice-rows.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate } from "./sql.js";
import { toWalletRecord, type WalletRow } from "./wallet-repository.js";

/** The column each kind of lookup reads. */
const LOOKUP_COLUMN = { id: "i.id", ref: "i.ref", number: "i.invoice_number" } as const;

/** A lookup's value as text (an id is at most 15 digits; Postgres casts it for the column). */
function lookupValue(lookup: InvoiceLookup): string {
  switch (lookup.by) {
    case "id":
      return String(lookup.id);
    case "ref":
      return lookup.ref;
    case "number":
      return lookup.invoiceNumber;
  }
}

function lookupWhere(lookup: InvoiceLookup): [string, string] {
  return [`${LOOKUP_COLUMN[lookup.by]} = ?`, lookupValue(lookup)];
}

export function invoiceRepository(em: Sql): InvoiceRepository {
  async function find(storeId: string, lookup: InvoiceLookup, lock: boolean) {
    const [cond, value] = lookupWhere(lookup);
    const sql = `${SELECT} where i.store_id = ? and ${cond}${lock ? " for update of i" : ""}`;
    const r = await row<InvoiceRow>(em, sql, [storeId, value]);
    return r ? toRecord(r) : null;
  }

  async function findMany(by: InvoiceLookup["by"], keys: readonly { storeId: string; lookup: InvoiceLookup }[]) {
    // Many lookups of one kind in one round trip: the pairs are unnested and joined on the same
    // unique index a single lookup uses. `k` says which pair each row answers.
    const column = `${LOOKUP_COLUMN[by]} = q.v${by === "id" ? "::bigint" : ""}`;
    const found = await rows<InvoiceRow & { k: string }>(
      em,
      `select q.k, ${COLUMNS}
       from unnest(?::varchar[], ?::text[]) with ordinality as q(store_id, v, k)
       join invoice i on i.store_id = q.store_id and ${column}`,
      [keys.map((x) => x.storeId), keys.map((x) => lookupValue(x.lookup))],
    );
    const byK = new Map(found.map((r) => [Number(r.k) - 1, r]));
    return keys.map((_, k) => {
      const r = byK.get(k);
      return r ? toRecord(r) : null;
    });
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

  async function insertMany(storeId: string, drafts: readonly NewDraft[]): Promise<InvoiceRecord[]> {
    // One statement takes as many of the store's next numbers as there are drafts (locking the store
    // row until commit, so concurrent creates serialize only here and a rollback returns the
    // numbers), inserts the invoices in the drafts' order, their lines and their outbox events.
    // Outside a transaction that is one round trip and one commit however many drafts it carries
    // (services/natural-batch.ts sends concurrent creates together). Numbers print with at least 4 digits:
    // INV-0001 ... INV-10000.
    const created = await rows<{ k: number; id: string; invoice_number: string; created_at: Date | string }>(
      em,
      `with v as (
         select * from jsonb_to_recordset(?::jsonb) as v(k int, ref text, prefix text, customer_email text,
           customer_name text, customer_company text, currency text, subtotal numeric, tax_rate numeric,
           tax_amount numeric, discount_amount numeric, total numeric, notes text, payment_methods text[],
           metadata jsonb, required_confirmations int, underpayment_tolerance_percent numeric, redirect_url text,
           lines jsonb, event_type text, event_data jsonb)
       ), n as (
         update store set next_invoice_number = next_invoice_number + (select count(*) from v) where id = ?
         returning next_invoice_number - (select count(*) from v) as first
       ), i as (
         insert into invoice (store_id, ref, invoice_number, status, customer_email, customer_name, customer_company,
           currency, subtotal, tax_rate, tax_amount, discount_amount, total, notes, payment_methods, metadata,
           required_confirmations, underpayment_tolerance_percent, redirect_url)
         select ?, v.ref,
           v.prefix || case when n.first + v.k < 10000 then lpad((n.first + v.k)::text, 4, '0') else (n.first + v.k)::text end,
           'draft', v.customer_email, v.customer_name, v.customer_company, v.currency, v.subtotal, v.tax_rate,
           v.tax_amount, v.discount_amount, v.total, v.notes, v.payment_methods, v.metadata, v.required_confirmations,
           v.underpayment_tolerance_percent, v.redirect_url
         from v, n order by v.k
         returning id, ref, invoice_number, created_at
       ), l as (
         insert into invoice_line (invoice_id, position, description, quantity, unit_price, amount)
         select i.id, x.position, x.description, x.quantity, x.unit_price, x.amount
         from i join v on v.ref = i.ref, jsonb_to_recordset(v.lines) as x(position int, description text,
           quantity numeric, unit_price numeric, amount numeric)
       ), e as (
         insert into outbox_event (store_id, type, invoice_id, data)
         select ?, v.event_type, i.id, jsonb_set(v.event_data, '{invoice_number}', to_jsonb(i.invoice_number))
         from i join v on v.ref = i.ref order by v.k
       )
       select v.k, i.id, i.invoice_number, i.created_at from i join v on v.ref = i.ref`,
      [
        // Amounts travel as JSON strings and are cast to numeric by Postgres: exact all the way.
        JSON.stringify(
          drafts.map((d, k) => ({
            k,
            ref: d.ref,
            prefix: d.invoicePrefix,
            customer_email: d.invoice.customerEmail,
            customer_name: d.invoice.customerName,
            customer_company: d.invoice.customerCompany,
            currency: d.invoice.currency,
            subtotal: d.invoice.subtotal,
            tax_rate: d.invoice.taxRate,
            tax_amount: d.invoice.taxAmount,
            discount_amount: d.invoice.discountAmount,
            total: d.invoice.total,
            notes: d.invoice.notes,
            payment_methods: d.invoice.paymentMethods,
            metadata: d.invoice.metadata,
            required_confirmations: d.invoice.requiredConfirmations,
            underpayment_tolerance_percent: d.invoice.underpaymentTolerancePercent,
            redirect_url: d.invoice.redirectUrl,
            lines: d.invoice.lines.map((l, position) => ({
              position,
              description: l.description,
              quantity: l.quantity,
              unit_price: l.unitPrice,
              amount: l.amount,
            })),
            event_type: d.created.type,
            event_data: d.created.data,
          })),
        ),
        storeId,
        storeId,
        storeId,
      ],
    );
    const byK = new Map(created.map((c) => [Number(c.k), c]));
    return drafts.flatMap((d, k) => {
      const c = byK.get(k);
      if (!c) return [];
      return [
        {
          ...d.invoice,
          id: Number(c.id),
          storeId,
          ref: d.ref,
          invoiceNumber: c.invoice_number,
          status: "draft" as const,
          amountPaid: "0",
          paidSats: 0n,
          flags: [],
          quote: null,
          createdAt: toDate(c.created_at),
        },
      ];
    });
  }

  return {
    async insert(storeId, draft) {
      const [created] = await insertMany(storeId, [draft]);
      if (!created) throw new Error(`store ${storeId} not found while inserting an invoice`);
      return created;
    },
    insertMany,
    find: (storeId, lookup) => find(storeId, lookup, false),
    findMany,
    findForUpdate: (storeId, lookup) => find(storeId, lookup, true),
    findForUpdateWithWallet: (storeId, lookup) => findWithWallet(storeId, lookup, true),
    findWithWallet: (storeId, lookup) => findWithWallet(storeId, lookup, false),
    async listMany(queries) {
      // `total` comes from the per-status counts a trigger keeps (migration 2), not count(*): counting a
      // store's invoices would grow with its history; summing at most seven rows does not. Why the
      // page is read by a function, and how: migration Migration20261121163000. Several pages (of any
      // stores) are read in one round trip, one function call each; `k` says which page is which.
      const found = await rows<{ k: string; total: string; page: string[] }>(
        em,
        `select q.k, p.total::text, p.page
         from unnest(?::varchar[], ?::varchar[], ?::int[], ?::int[]) with ordinality as q(store_id, status, lim, off, k)
         cross join lateral invoice_list_page(q.store_id, q.status, q.lim, q.off) p`,
        [
          queries.map((q) => q.storeId),
          queries.map((q) => q.status ?? null),
          queries.map((q) => q.limit),
          queries.map((q) => q.offset),
        ],
      );
      const byK = new Map(found.map((r) => [Number(r.k) - 1, r]));
      return queries.map((_, k) => {
        const r = byK.get(k);
        const page = (r?.page ?? []).map((entry) => {
          const at = entry.indexOf(":");
          return { id: Number(entry.slice(0, at)), version: entry.slice(at + 1) };
        });
        return { page, total: Number(r?.total ?? 0) };
      });
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
