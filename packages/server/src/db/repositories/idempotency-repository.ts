import type { IdempotencyRepository, StoredResponse } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row, rows } from "./sql.js";

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
    async claimMany(storeId, operation, claims) {
      // Keys are claimed in sorted order, so two transactions claiming overlapping sets wait for each
      // other in one order and never deadlock; ON CONFLICT waits as in `claim`.
      const inserted = await rows<{ key: string }>(
        em,
        `insert into idempotency_key (store_id, key, operation, request_hash, response_status, response_body)
         select ?, q.key, ?, q.hash, 0, 'null' from unnest(?::text[], ?::text[]) as q(key, hash) order by q.key
         on conflict do nothing returning key`,
        [storeId, operation, claims.map((c) => c.key), claims.map((c) => c.requestHash)],
      );
      const claimed = new Set(inserted.map((r) => r.key));
      const others = claims.filter((c) => !claimed.has(c.key)).map((c) => c.key);
      const earlier = new Map<string, StoredResponse>();
      if (others.length > 0) {
        const found = await rows<{
          key: string;
          operation: string;
          request_hash: string;
          response_status: number;
          response_body: unknown;
        }>(
          em,
          `select key, operation, request_hash, response_status, response_body from idempotency_key
           where store_id = ? and key = any(?::text[])`,
          [storeId, others],
        );
        for (const r of found) {
          earlier.set(r.key, {
            operation: r.operation,
            requestHash: r.request_hash,
            status: r.response_status,
            body: r.response_body,
          });
        }
        if (earlier.size !== others.length) throw new Error("idempotency key vanished between claim and read");
      }
      return { claimed, earlier };
    },
    async completeMany(storeId, replies) {
      await rows(
        em,
        `update idempotency_key k set response_status = q.status, response_body = q.body
         from jsonb_to_recordset(?::jsonb) as q(key text, status int, body jsonb)
         where k.store_id = ? and k.key = q.key`,
        [JSON.stringify(replies), storeId],
      );
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
