import type { RefundRecord, RefundRepository, RefundState } from "../../ports/refunds.js";
import type { Sql } from "./sql.js";
import { row, rows, toDate, trimNumeric } from "./sql.js";

interface RefundRow {
  id: number | string;
  ref: string;
  store_id: string;
  invoice_id: number | string | null;
  invoice_ref: string | null;
  name: string;
  description: string | null;
  amount: string;
  currency: string;
  state: string;
  claim_address: string | null;
  claim_amount_sats: string | null;
  claim_rate: string | null;
  txid: string | null;
  expires_at: Date | string | null;
  created_at: Date | string;
  claimed_at: Date | string | null;
  paid_at: Date | string | null;
}

/** Columns of a refund `r` joined with its invoice `i` (for the invoice's ref). */
const COLUMNS = `r.id, r.ref, r.store_id, r.invoice_id, i.ref as invoice_ref, r.name, r.description,
  r.amount::text as amount, r.currency, r.state, r.claim_address, r.claim_amount_sats::text as claim_amount_sats,
  r.claim_rate::text as claim_rate, r.txid, r.expires_at, r.created_at, r.claimed_at, r.paid_at`;
const FROM = "refund r left join invoice i on i.id = r.invoice_id";

/** A data-changing statement on `refund` whose `returning *` rows are read back with the invoice's ref. */
const readBack = (statement: string) => `with r as (${statement} returning *)
  select ${COLUMNS} from r left join invoice i on i.id = r.invoice_id`;

export function toRefundRecord(r: RefundRow): RefundRecord {
  return {
    id: Number(r.id),
    ref: r.ref,
    storeId: r.store_id,
    invoiceId: r.invoice_id === null ? null : Number(r.invoice_id),
    invoiceRef: r.invoice_ref,
    name: r.name,
    description: r.description,
    amount: trimNumeric(r.amount),
    currency: r.currency,
    state: r.state as RefundState,
    claimAddress: r.claim_address,
    claimAmountSats: r.claim_amount_sats === null ? null : BigInt(r.claim_amount_sats),
    claimRate: r.claim_rate === null ? null : trimNumeric(r.claim_rate),
    txid: r.txid,
    expiresAt: r.expires_at === null ? null : toDate(r.expires_at),
    createdAt: toDate(r.created_at),
    claimedAt: r.claimed_at === null ? null : toDate(r.claimed_at),
    paidAt: r.paid_at === null ? null : toDate(r.paid_at),
  };
}

export function refundRepository(em: Sql): RefundRepository {
  const one = async (text: string, params: readonly unknown[]) => {
    const r = await row<RefundRow>(em, text, params);
    return r ? toRefundRecord(r) : null;
  };
  return {
    async insert(x) {
      const r = await one(
        readBack(`insert into refund (ref, store_id, invoice_id, name, description, amount, currency, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)`),
        [x.ref, x.storeId, x.invoiceId, x.name, x.description, x.amount, x.currency, x.expiresAt],
      );
      if (!r) throw new Error("refund insert returned nothing");
      return r;
    },
    findByRef: (ref) => one(`select ${COLUMNS} from ${FROM} where r.ref = ?`, [ref]),
    findByRefForUpdate: (ref) => one(`select ${COLUMNS} from ${FROM} where r.ref = ? for update of r`, [ref]),
    get: (storeId, ref) => one(`select ${COLUMNS} from ${FROM} where r.store_id = ? and r.ref = ?`, [storeId, ref]),
    async findPublic(ref) {
      const r = await row<RefundRow & { store_name: string }>(
        em,
        `select ${COLUMNS}, s.name as store_name from ${FROM} join store s on s.id = r.store_id where r.ref = ?`,
        [ref],
      );
      return r ? { refund: toRefundRecord(r), storeName: r.store_name } : null;
    },
    async list(storeId, { state, limit, offset }) {
      const where = state === undefined ? "r.store_id = ?" : "r.store_id = ? and r.state = ?";
      const params = state === undefined ? [storeId] : [storeId, state];
      // count(*) over a store's refunds: refunds are rare next to invoices (no per-status counter table).
      const [page, count] = await Promise.all([
        rows<RefundRow>(em, `select ${COLUMNS} from ${FROM} where ${where} order by r.id desc limit ? offset ?`, [
          ...params,
          limit,
          offset,
        ]),
        row<{ n: string }>(em, `select count(*) as n from refund r where ${where}`, params),
      ]);
      return { refunds: page.map(toRefundRecord), total: Number(count?.n ?? 0) };
    },
    claim: (ref, c) =>
      one(
        readBack(`update refund set state = 'claimed', claim_address = ?, claim_amount_sats = ?, claim_rate = ?,
           claimed_at = ? where ref = ? and state = 'awaiting_claim'`),
        [c.address, c.sats.toString(), c.rate, c.at, ref],
      ),
    markPaid: (storeId, ref, txid, at) =>
      one(
        readBack(`update refund set state = 'paid', txid = ?, paid_at = ?
           where store_id = ? and ref = ? and state = 'claimed'`),
        [txid, at, storeId, ref],
      ),
    cancel: (storeId, ref) =>
      one(
        readBack(`update refund set state = 'cancelled'
           where store_id = ? and ref = ? and state in ('awaiting_claim', 'claimed')`),
        [storeId, ref],
      ),
    async findInvoiceId(storeId, by) {
      const r = by.ref
        ? await row<{ id: number | string }>(em, "select id from invoice where store_id = ? and ref = ?", [
            storeId,
            by.ref,
          ])
        : by.orderId
          ? await row<{ id: number | string }>(
              em,
              `select id from invoice where store_id = ? and metadata->>'orderId' = ? order by id desc limit 1`,
              [storeId, by.orderId],
            )
          : undefined;
      return r ? Number(r.id) : null;
    },
  };
}
