import type { GreenfieldInvoiceRepository, GreenfieldInvoiceRow } from "../../ports/greenfield-invoices.js";
import { selectInvoicesWith } from "./invoice-rows.js";
import type { Sql } from "./sql.js";
import { rows, toDate } from "./sql.js";

const GREENFIELD_COLUMNS = "i.greenfield_checkout, i.manual_status, i.greenfield_invalid_at";

export function greenfieldInvoiceRepository(em: Sql): GreenfieldInvoiceRepository {
  const select = async (where: string, params: readonly unknown[], suffix = ""): Promise<GreenfieldInvoiceRow[]> => {
    const found = await selectInvoicesWith<{
      greenfield_checkout: Record<string, unknown> | null;
      manual_status: string | null;
      greenfield_invalid_at: Date | string | null;
    }>(em, GREENFIELD_COLUMNS, where, params, suffix);
    return found.map(({ invoice, extra }) => ({
      invoice,
      checkout: extra.greenfield_checkout,
      manualStatus: extra.manual_status === "Settled" || extra.manual_status === "Invalid" ? extra.manual_status : null,
      invalidatedAt: extra.greenfield_invalid_at === null ? null : toDate(extra.greenfield_invalid_at),
    }));
  };

  return {
    async get(storeId, ref, opts = {}) {
      const [found] = await select("i.store_id = ? and i.ref = ?", [storeId, ref], opts.lock ? "for update of i" : "");
      return found ?? null;
    },
    search(storeId, { orderIds, statuses, limit }) {
      const where = ["i.store_id = ?", "i.status <> 'draft'"];
      const params: unknown[] = [storeId];
      if (orderIds.length > 0) {
        // The same expression as the index invoice_order_id_idx, so the lookup is an index scan.
        where.push("(i.metadata->>'orderId') = any(?::text[])");
        params.push(orderIds);
      }
      if (statuses && statuses.length > 0) {
        where.push("i.status = any(?::text[])");
        params.push(statuses);
      }
      params.push(Math.max(0, Math.floor(limit)));
      return select(where.join(" and "), params, "order by i.id desc limit ?");
    },
    async setCheckout(invoiceId, checkout) {
      await em("update invoice set greenfield_checkout = ?::jsonb, updated_at = now() where id = ?", [
        JSON.stringify(checkout),
        invoiceId,
      ]);
    },
    async setManualStatus(invoiceId, mark) {
      await em("update invoice set manual_status = ?, updated_at = now() where id = ?", [mark, invoiceId]);
    },
    async invalidateOverdue(now, limit) {
      // The monitoring expiration the shop asked for (or the store default it got) was resolved at
      // creation and kept as `monitoringMinutesApplied`.
      const found = await rows<{ id: number | string; ref: string; store_id: string }>(
        em,
        `with due as (
           select id from invoice
           where (greenfield_checkout->>'monitoringMinutesApplied') is not null and status = 'paid' and manual_status is null
             and greenfield_invalid_at is null
             and expires_at + ((greenfield_checkout->>'monitoringMinutesApplied')::int * interval '1 minute') <= ?
           order by id limit ? for update skip locked
         )
         update invoice i set greenfield_invalid_at = ?, updated_at = now() from due where i.id = due.id
         returning i.id, i.ref, i.store_id`,
        [now, limit, now],
      );
      return found.map((r) => ({ id: Number(r.id), ref: r.ref, storeId: r.store_id }));
    },
    async setMetadata(invoiceId, metadata) {
      await em("update invoice set metadata = ?::jsonb, updated_at = now() where id = ?", [
        JSON.stringify(metadata),
        invoiceId,
      ]);
    },
  };
}
