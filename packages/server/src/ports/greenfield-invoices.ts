import type { InvoiceRecord, InvoiceStatus } from "../domain/invoice.js";

/** A shop's manual mark (`POST /stores/{storeId}/invoices/{id}/status`). */
export type GreenfieldMark = "Settled" | "Invalid";

/** An invoice with what only the Greenfield API keeps about it. */
export interface GreenfieldInvoiceRow {
  invoice: InvoiceRecord;
  /** The `checkout` options as the shop sent them; null for invoices made through btpay's own API. */
  checkout: Record<string, unknown> | null;
  manualStatus: GreenfieldMark | null;
  /** Paid but unconfirmed at its monitoring expiration: Invalid for Greenfield from then on. */
  invalidatedAt: Date | null;
}

/** What the Greenfield API needs of invoices beyond btpay's own. Owned by the Greenfield API work. */
export interface GreenfieldInvoiceRepository {
  /** A store's invoice by ref; with `lock`, its row stays locked (FOR UPDATE) until the transaction ends. */
  get(storeId: string, ref: string, opts?: { lock?: boolean }): Promise<GreenfieldInvoiceRow | null>;
  /**
   * A store's invoices, newest first, at most `limit`, never drafts; only those whose
   * `metadata.orderId` is one of `orderIds` when it is not empty (an index serves that lookup).
   */
  search(
    storeId: string,
    filter: { orderIds: readonly string[]; statuses?: readonly InvoiceStatus[]; limit: number },
  ): Promise<GreenfieldInvoiceRow[]>;
  setCheckout(invoiceId: number, checkout: Record<string, unknown>): Promise<void>;
  setManualStatus(invoiceId: number, mark: GreenfieldMark): Promise<void>;
  setMetadata(invoiceId: number, metadata: Record<string, unknown>): Promise<void>;
  /**
   * Greenfield invoices still `paid` (unconfirmed) past their monitoring expiration and not yet
   * invalidated or marked: marks each invalidated now and returns their refs and stores. Rows are
   * claimed with SKIP LOCKED, so several processes never invalidate one twice.
   */
  invalidateOverdue(now: Date, limit: number): Promise<{ id: number; ref: string; storeId: string }[]>;
}
