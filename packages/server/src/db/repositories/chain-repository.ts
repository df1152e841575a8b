import type { InvoiceStatus } from "../../domain/invoice.js";
import type { PaymentState } from "../../domain/payment.js";
import type { ChainRepository, StoredPayment, WatchedInvoice } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

export interface PaymentJson {
  txid: string;
  vout: number;
  address: string;
  amount_sats: string;
  state: string;
  block_height: number | null;
  block_hash: string | null;
  late: boolean;
  confirmed_announced: boolean;
  first_seen_at: string;
}

interface WatchedRow {
  id: string;
  store_id: string;
  ref: string;
  invoice_number: string;
  status: string;
  currency: string;
  total: string;
  btc_amount_sats: string;
  finalized_at: Date | string;
  expires_at: Date | string;
  monitoring_until: Date | string | null;
  required_confirmations: number;
  underpayment_tolerance_percent: string;
  watch_until: Date | string | null;
  paid_sats: string;
  flags: string[];
  address: string;
  script_pubkey: string;
  payments: PaymentJson[];
}

export const toPayment = (p: PaymentJson): StoredPayment => ({
  txid: p.txid,
  vout: Number(p.vout),
  address: p.address,
  // Sats travel as text inside the JSON (to_char-free: the column is cast ::text below).
  amountSats: BigInt(p.amount_sats),
  state: p.state as PaymentState,
  block: p.block_height === null || p.block_hash === null ? null : { height: p.block_height, hash: p.block_hash },
  late: p.late,
  confirmedAnnounced: p.confirmed_announced,
  firstSeenAt: new Date(p.first_seen_at),
});

/** Every payment of invoice `i`, as one JSON array (reads ride along with the invoice's row). */
export const PAYMENTS_JSON = `coalesce((select json_agg(json_build_object('txid', p.txid, 'vout', p.vout, 'address', p.address,
    'amount_sats', p.amount_sats::text, 'state', p.state, 'block_height', p.block_height, 'block_hash', p.block_hash,
    'late', p.late, 'confirmed_announced', p.confirmed_announced, 'first_seen_at', p.first_seen_at) order by p.id)
  from payment p where p.invoice_id = i.id), '[]'::json)`;

const WATCHED = `select i.id, i.store_id, i.ref, i.invoice_number, i.status, i.currency, i.total, i.btc_amount_sats,
    i.finalized_at, i.expires_at, i.monitoring_until, i.required_confirmations,
    i.underpayment_tolerance_percent, i.watch_until, i.paid_sats, i.flags, a.address, a.script_pubkey,
    ${PAYMENTS_JSON} as payments
  from invoice i join address a on a.invoice_id = i.id`;

function toWatched(r: WatchedRow): WatchedInvoice {
  const expiresAt = toDate(r.expires_at);
  return {
    id: Number(r.id),
    storeId: r.store_id,
    ref: r.ref,
    invoiceNumber: r.invoice_number,
    status: r.status as InvoiceStatus,
    currency: r.currency,
    total: trimNumeric(r.total),
    dueSats: BigInt(r.btc_amount_sats),
    finalizedAt: toDate(r.finalized_at),
    expiresAt,
    monitoringUntil: r.monitoring_until === null ? expiresAt : toDate(r.monitoring_until),
    requiredConfirmations: Number(r.required_confirmations),
    underpaymentTolerancePercent: trimNumeric(r.underpayment_tolerance_percent),
    watchUntil: r.watch_until === null ? null : toDate(r.watch_until),
    paidSats: BigInt(r.paid_sats),
    flags: r.flags,
    address: r.address,
    scriptPubKeyHex: r.script_pubkey,
    payments: r.payments.map(toPayment),
  };
}

export function chainRepository(sql: Sql): ChainRepository {
  return {
    async watched(now) {
      // Two index scans (invoice_open_idx, invoice_watch_until_idx): the cost follows the number of
      // invoices being watched, never the store's history.
      const found = await rows<WatchedRow>(
        sql,
        `${WATCHED} where i.status in ('pending', 'partial', 'paid')
         union all
         ${WATCHED} where i.watch_until > ? and i.status in ('confirmed', 'expired')`,
        [now],
      );
      return found.map(toWatched);
    },
    async lockWatched(invoiceId) {
      const r = await row<WatchedRow>(sql, `${WATCHED} where i.id = ? for update of i`, [invoiceId]);
      return r ? toWatched(r) : null;
    },
    async savePayments(invoiceId, payments) {
      if (payments.length === 0) return;
      // The unique (txid, vout) makes a second sighting an update; the WHERE keeps an output that
      // somehow belongs to another invoice from ever being moved over to this one.
      await sql(
        `insert into payment (invoice_id, address, txid, vout, amount_sats, state, block_height, block_hash, late,
           confirmed_announced, first_seen_at)
         select ?, v.address, v.txid, v.vout, v.amount_sats::bigint, v.state, v.block_height, v.block_hash, v.late,
           v.confirmed_announced, v.first_seen_at
         from jsonb_to_recordset(?::jsonb) as v(address text, txid text, vout int, amount_sats text, state text,
           block_height int, block_hash text, late boolean, confirmed_announced boolean, first_seen_at timestamptz)
         on conflict (txid, vout) do update set state = excluded.state, block_height = excluded.block_height,
           block_hash = excluded.block_hash, confirmed_announced = excluded.confirmed_announced, updated_at = now()
         where payment.invoice_id = excluded.invoice_id`,
        [
          invoiceId,
          JSON.stringify(
            payments.map((p) => ({
              address: p.address,
              txid: p.txid,
              vout: p.vout,
              amount_sats: p.amountSats.toString(),
              state: p.state,
              block_height: p.block?.height ?? null,
              block_hash: p.block?.hash ?? null,
              late: p.late,
              confirmed_announced: p.confirmedAnnounced,
              first_seen_at: p.firstSeenAt.toISOString(),
            })),
          ),
        ],
      );
    },
    async saveLifecycle(invoiceId, u) {
      await sql(
        `update invoice set status = ?, paid_sats = ?, amount_paid = ?, flags = ?::text[], watch_until = ?,
           paid_at = case when ? in ('paid', 'confirmed') then coalesce(paid_at, ?) else paid_at end,
           confirmed_at = case when ? = 'confirmed' then coalesce(confirmed_at, ?) else null end,
           updated_at = now()
         where id = ?`,
        [
          u.status,
          u.paidSats.toString(),
          u.amountPaid,
          `{${u.flags.join(",")}}`,
          u.watchUntil,
          u.status,
          u.at,
          u.status,
          u.at,
          invoiceId,
        ],
      );
    },
    async markAddressPaid(invoiceId) {
      await sql(
        `with a as (
           update address set payment_seen = true where invoice_id = ? and not payment_seen
           returning wallet_id, chain, derivation_index
         )
         update wallet w set highest_paid_index = greatest(coalesce(w.highest_paid_index, -1), a.derivation_index)
         from a where w.id = a.wallet_id and a.chain = 0`,
        [invoiceId],
      );
    },
    async appendEvents(events) {
      if (events.length === 0) return;
      await sql(
        `insert into outbox_event (store_id, type, invoice_id, data)
         select e.v ->> 'store_id', e.v ->> 'type', (e.v ->> 'invoice_id')::bigint, e.v -> 'data'
         from jsonb_array_elements(?::jsonb) with ordinality as e(v, n)
         order by e.n`,
        [
          JSON.stringify(
            events.map((e) => ({ store_id: e.storeId, type: e.type, invoice_id: e.invoiceId, data: e.data })),
          ),
        ],
      );
    },
    async saveTip(network, source, tip) {
      await sql(
        `insert into chain_state (network, source, tip_height, tip_hash, updated_at) values (?, ?, ?, ?, now())
         on conflict (network) do update set source = excluded.source, tip_height = excluded.tip_height,
           tip_hash = excluded.tip_hash, updated_at = now()
         where chain_state.tip_hash <> excluded.tip_hash or chain_state.source <> excluded.source`,
        [network, source, tip.height, tip.hash],
      );
    },
    async tip(network) {
      const r = await row<{ tip_height: number; tip_hash: string }>(
        sql,
        "select tip_height, tip_hash from chain_state where network = ?",
        [network],
      );
      return r ? { height: Number(r.tip_height), hash: r.tip_hash } : null;
    },
    async payments(invoiceId) {
      const r = await row<{ payments: PaymentJson[] }>(
        sql,
        `select ${PAYMENTS_JSON} as payments from invoice i where i.id = ?`,
        [invoiceId],
      );
      return (r?.payments ?? []).map(toPayment);
    },
  };
}
