import type { RefundRecord, RefundRepository, RefundState } from "../../ports/refunds.js";
import type { Sql } from "./sql.js";
import { row, toDate, trimNumeric } from "./sql.js";

interface RefundRow {
  id: number | string;
  ref: string;
  store_id: string;
  invoice_id: number | string | null;
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

export const REFUND_COLUMNS = `id, ref, store_id, invoice_id, name, description, amount::text as amount, currency, state,
  claim_address, claim_amount_sats::text as claim_amount_sats, claim_rate::text as claim_rate, txid, expires_at,
  created_at, claimed_at, paid_at`;

export function toRefundRecord(r: RefundRow): RefundRecord {
  return {
    id: Number(r.id),
    ref: r.ref,
    storeId: r.store_id,
    invoiceId: r.invoice_id === null ? null : Number(r.invoice_id),
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
  return {
    async insert(x) {
      const r = await row<RefundRow>(
        em,
        `insert into refund (ref, store_id, invoice_id, name, description, amount, currency, expires_at)
         values (?, ?, ?, ?, ?, ?, ?, ?) returning ${REFUND_COLUMNS}`,
        [x.ref, x.storeId, x.invoiceId, x.name, x.description, x.amount, x.currency, x.expiresAt],
      );
      if (!r) throw new Error("refund insert returned nothing");
      return toRefundRecord(r);
    },
    async findByRef(ref) {
      const r = await row<RefundRow>(em, `select ${REFUND_COLUMNS} from refund where ref = ?`, [ref]);
      return r ? toRefundRecord(r) : null;
    },
  };
}
