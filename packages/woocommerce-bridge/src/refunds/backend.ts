/** The refund states btpay keeps: awaiting_claim -> claimed (address given) -> paid | cancelled. */
export type RefundState = "awaiting_claim" | "claimed" | "paid" | "cancelled";

/** A refund as the bridge shows it: plain data (decimals as strings, satoshis as bigint). */
export interface RefundView {
  /** The public id: Greenfield's pull payment id and the claim page's path segment. */
  id: string;
  name: string;
  description: string | null;
  /** Exact decimal string in `currency`. */
  amount: string;
  /** ISO 4217 code, or BTC. */
  currency: string;
  state: RefundState;
  claimAddress: string | null;
  claimAmountSats: bigint | null;
  /** Currency per BTC at claim time; null for a refund priced in BTC. */
  claimRate: string | null;
  txid: string | null;
  createdAt: Date;
  claimedAt: Date | null;
  paidAt: Date | null;
  expiresAt: Date | null;
}

/** A pull payment as a shop asks for it, after the bridge checked the JSON types. */
export interface PullPaymentCreate {
  name: string;
  description: string | null;
  amount: string;
  currency: string;
  expiresAt: Date | null;
}

export interface FieldProblem {
  path: string;
  message: string;
}

/** What the claim page shows: the refund and whose shop owes it. */
export interface ClaimPage {
  refund: RefundView;
  storeName: string;
}

/** A claim's outcome as a value: the page decides how each refusal looks. */
export type ClaimOutcome =
  | { ok: true }
  /** 400: bad address or no rate now (nothing changed); 404: no such refund; 409: not claimable. */
  | { ok: false; status: 400 | 404 | 409; message: string; page: ClaimPage | null };

/** What the refunds routes and claim pages need from the btpay server. */
export interface RefundsBackend {
  /** The Bitcoin network payers' addresses must be on (`mainnet`, `testnet`, `signet`, `regtest`). */
  readonly network: string;
  /** The server's clock (tests move it): expiry on the page agrees with the claim's own check. */
  now(): Date;
  create(storeId: string, input: PullPaymentCreate): Promise<RefundView | { problems: FieldProblem[] }>;
  get(storeId: string, id: string): Promise<RefundView | null>;
  list(storeId: string, opts: { includeArchived: boolean }): Promise<RefundView[]>;
  /** Greenfield's archive is btpay's cancel; null when there is no such refund. A paid one stays paid. */
  archive(storeId: string, id: string): Promise<RefundView | null>;
  page(id: string): Promise<ClaimPage | null>;
  claim(id: string, address: string): Promise<ClaimOutcome>;
  /** Counts one page request from a client address: seconds to wait when over the limit, else null. */
  limitClient(clientAddress: string): Promise<number | null>;
}
