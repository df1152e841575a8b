/** Refunds owed to payers (Greenfield pull payments). Owned by the refunds work. */
export type RefundState = "awaiting_claim" | "claimed" | "paid" | "cancelled";

export const REFUND_STATES: readonly RefundState[] = ["awaiting_claim", "claimed", "paid", "cancelled"];

export interface RefundRecord {
  id: number;
  ref: string;
  storeId: string;
  invoiceId: number | null;
  /** The refunded invoice's ref, read along with the refund (null when none is linked). */
  invoiceRef: string | null;
  name: string;
  description: string | null;
  /** Exact decimal string in `currency`. */
  amount: string;
  currency: string;
  state: RefundState;
  claimAddress: string | null;
  claimAmountSats: bigint | null;
  claimRate: string | null;
  txid: string | null;
  expiresAt: Date | null;
  createdAt: Date;
  claimedAt: Date | null;
  paidAt: Date | null;
}

export interface RefundClaim {
  address: string;
  sats: bigint;
  /** Currency per BTC used to fix `sats`; null when the refund is priced in BTC. */
  rate: string | null;
  at: Date;
}

export interface RefundRepository {
  insert(refund: {
    ref: string;
    storeId: string;
    invoiceId: number | null;
    name: string;
    description: string | null;
    amount: string;
    currency: string;
    expiresAt: Date | null;
  }): Promise<RefundRecord>;
  findByRef(ref: string): Promise<RefundRecord | null>;
  /** The refund with its store's name, for the payer's claim page. */
  findPublic(ref: string): Promise<{ refund: RefundRecord; storeName: string } | null>;
  /** Locks the refund's row until the transaction ends (claims are decided one at a time). */
  findByRefForUpdate(ref: string): Promise<RefundRecord | null>;
  get(storeId: string, ref: string): Promise<RefundRecord | null>;
  list(
    storeId: string,
    page: { state?: RefundState | undefined; limit: number; offset: number },
  ): Promise<{ refunds: RefundRecord[]; total: number }>;
  /** awaiting_claim -> claimed; null when the refund was not awaiting a claim. */
  claim(ref: string, claim: RefundClaim): Promise<RefundRecord | null>;
  /** claimed -> paid; null when the refund was not claimed. */
  markPaid(storeId: string, ref: string, txid: string, at: Date): Promise<RefundRecord | null>;
  /** awaiting_claim | claimed -> cancelled; null when it was neither. */
  cancel(storeId: string, ref: string): Promise<RefundRecord | null>;
  /**
   * The store's invoice a refund is for, named by its ref or by the shop's order id (newest
   * invoice of that order); null when there is none.
   */
  findInvoiceId(storeId: string, by: { ref?: string; orderId?: string }): Promise<number | null>;
}
