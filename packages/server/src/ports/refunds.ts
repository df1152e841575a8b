/** Refunds owed to payers (Greenfield pull payments). Owned by the refunds work. */
export type RefundState = "awaiting_claim" | "claimed" | "paid" | "cancelled";

export interface RefundRecord {
  id: number;
  ref: string;
  storeId: string;
  invoiceId: number | null;
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

export interface RefundRepository {
  insert(
    refund: Omit<
      RefundRecord,
      "id" | "state" | "claimAddress" | "claimAmountSats" | "claimRate" | "txid" | "createdAt" | "claimedAt" | "paidAt"
    >,
  ): Promise<RefundRecord>;
  findByRef(ref: string): Promise<RefundRecord | null>;
}
