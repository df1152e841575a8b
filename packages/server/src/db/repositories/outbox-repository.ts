import type { OutboxRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { rows, toDate } from "./sql.js";

export function outboxRepository(sql: Sql): OutboxRepository {
  return {
    async list(storeId, afterId, limit) {
      const found = await rows<{
        id: string;
        store_id: string;
        type: string;
        invoice_id: string | null;
        data: Record<string, unknown>;
        created_at: Date | string;
      }>(
        sql,
        "select id, store_id, type, invoice_id, data, created_at from outbox_event where store_id = ? and id > ? order by id limit ?",
        [storeId, afterId, limit],
      );
      return found.map((r) => ({
        id: Number(r.id),
        storeId: r.store_id,
        type: r.type,
        invoiceId: r.invoice_id === null ? null : Number(r.invoice_id),
        data: r.data,
        createdAt: toDate(r.created_at),
      }));
    },
  };
}
