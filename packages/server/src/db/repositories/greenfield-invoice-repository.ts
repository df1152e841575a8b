import type { GreenfieldInvoiceRepository } from "../../ports/greenfield-invoices.js";
import { invoicesByOrderIds } from "./invoice-repository.js";
import type { Sql } from "./sql.js";

export function greenfieldInvoiceRepository(em: Sql): GreenfieldInvoiceRepository {
  return {
    findByOrderIds: (storeId, orderIds) => invoicesByOrderIds(em, storeId, orderIds),
  };
}
