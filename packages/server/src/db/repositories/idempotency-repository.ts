import type { IdempotencyRepository, StoredResponse } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row } from "./sql.js";

export function idempotencyRepository(em: Sql): IdempotencyRepository {
  return {
    async claim(storeId, key, operation, requestHash) {
      // ON CONFLICT waits for a concurrent claimer's transaction, then either inserts (it rolled back)
      // or conflicts (it committed) and we read its stored answer.
      const inserted = await row<{ key: string }>(
        em,
        `insert into idempotency_key (store_id, key, operation, request_hash, response_status, response_body)
         values (?, ?, ?, ?, 0, 'null') on conflict do nothing returning key`,
        [storeId, key, operation, requestHash],
      );
      if (inserted) return null;
      const r = await row<{ operation: string; request_hash: string; response_status: number; response_body: unknown }>(
        em,
        "select operation, request_hash, response_status, response_body from idempotency_key where store_id = ? and key = ?",
        [storeId, key],
      );
      if (!r) throw new Error("idempotency key vanished between claim and read");
      const stored: StoredResponse = {
        operation: r.operation,
        requestHash: r.request_hash,
        status: r.response_status,
        body: r.response_body,
      };
      return stored;
    },
    async complete(storeId, key, status, body) {
      await row(
        em,
        "update idempotency_key set response_status = ?, response_body = ? where store_id = ? and key = ?",
        [status, JSON.stringify(body), storeId, key],
      );
    },
  };
}
