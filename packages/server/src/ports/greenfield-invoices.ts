import type { InvoiceRecord } from "../domain/invoice.js";

/** What the Greenfield API needs of invoices beyond btpay's own. Owned by the Greenfield API work. */
export interface GreenfieldInvoiceRepository {
  /** A store's invoices whose `metadata.orderId` is one of `orderIds`, newest first. */
  findByOrderIds(storeId: string, orderIds: readonly string[]): Promise<InvoiceRecord[]>;
}
