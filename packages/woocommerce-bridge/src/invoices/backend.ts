import type { SpeedPolicy } from "../speed-policy.js";
import type { BtpayInvoiceStatus, CanonicalPaymentMethod, ManualMark } from "../status-map.js";

/** The checkout options as a shop sent them (null = the store's default), kept to echo back. */
export interface CheckoutOptions {
  speedPolicy: SpeedPolicy | null;
  /** Canonical ids, on-chain only (Lightning ones are dropped, see invoices/create-request.ts). */
  paymentMethods: CanonicalPaymentMethod[] | null;
  expirationMinutes: number | null;
  monitoringMinutes: number | null;
  /** Percent, exact decimal string. */
  paymentTolerance: string | null;
  redirectURL: string | null;
  redirectAutomatically: boolean | null;
  defaultLanguage: string | null;
  requiresRefundEmail: boolean | null;
}

/** A validated `POST /stores/{storeId}/invoices`, in btpay's terms. */
export interface NewGreenfieldInvoice {
  /** Fiat amount, a plain positive decimal string as sent. */
  amount: string;
  /** As sent; the server knows which currencies it prices in. */
  currency: string;
  /** The one line of the btpay invoice. */
  description: string;
  customerEmail: string | null;
  customerName: string | null;
  metadata: Record<string, unknown>;
  /** From `speedPolicy`; null = the store's default. */
  requiredConfirmations: number | null;
  underpaymentTolerancePercent: string | null;
  expirationMinutes: number | null;
  monitoringMinutes: number | null;
  redirectUrl: string | null;
  checkout: CheckoutOptions;
}

/** A finalized btpay invoice with what the Greenfield answers need. */
export interface GreenfieldInvoiceData {
  /** The btpay ref (`A1B2C3D4-E5F6A7B8`): Greenfield's invoice id. */
  id: string;
  storeId: string;
  status: BtpayInvoiceStatus;
  flags: string[];
  manualStatus: ManualMark | null;
  currency: string;
  /** Fiat, formatted to the currency's minor units ("25.00"). */
  amount: string;
  paidAmount: string;
  createdAt: Date;
  finalizedAt: Date;
  expiresAt: Date;
  /** Greenfield's monitoring expiration: confirm by then, or the invoice becomes Invalid. */
  monitoringUntil: Date;
  /** When it became Invalid for not confirming by `monitoringUntil` (the sweep), or null. */
  invalidatedAt: Date | null;
  requiredConfirmations: number;
  underpaymentTolerancePercent: string;
  redirectUrl: string | null;
  metadata: Record<string, unknown>;
  /** What the shop sent as `checkout` (stored JSON, so read defensively); null for btpay's own invoices. */
  checkout: Record<string, unknown> | null;
  /** Fiat per BTC, exact decimal string. */
  btcRate: string;
  dueSats: bigint;
  paidSats: bigint;
  address: string;
  /** The server's clock when this was read: decides whether the monitoring window is over. */
  readAt: Date;
}

/** One transaction output paying the invoice, as btpay recorded it. */
export interface InvoicePaymentData {
  txid: string;
  vout: number;
  address: string;
  amountSats: bigint;
  /** `replaced` and `reorged` payments no longer count. */
  state: "mempool" | "confirmed" | "replaced" | "reorged";
  confirmations: number;
  firstSeenAt: Date;
}

/** What the invoices routes need from the btpay server. Unknown ids and drafts read as null. */
export interface InvoicesBackend {
  /** Creates and finalizes the invoice (validation errors answer 422). */
  create(storeId: string, invoice: NewGreenfieldInvoice): Promise<GreenfieldInvoiceData>;
  get(storeId: string, id: string): Promise<GreenfieldInvoiceData | null>;
  /** The store's invoices, newest first, at most `limit`; only those with these order ids when given. */
  search(storeId: string, query: { orderIds: string[]; limit: number }): Promise<GreenfieldInvoiceData[]>;
  payments(
    storeId: string,
    id: string,
  ): Promise<{ invoice: GreenfieldInvoiceData; payments: InvoicePaymentData[] } | null>;
  /**
   * Marks the invoice Settled or Invalid. `guard` sees the invoice under its row lock and throws when
   * the mark is not allowed; Invalid on an open invoice also cancels it in btpay (its address goes
   * back to the pool). Records an `invoice.marked` outbox event `{ ref, mark }` in the same transaction.
   */
  mark(
    storeId: string,
    id: string,
    mark: ManualMark,
    guard: (current: GreenfieldInvoiceData) => void,
  ): Promise<GreenfieldInvoiceData | null>;
  /** Replaces the invoice's metadata. */
  updateMetadata(storeId: string, id: string, metadata: Record<string, unknown>): Promise<GreenfieldInvoiceData | null>;
}
