import type { RateLimitRepository } from "../../ports.js";
import type { Sql } from "./sql.js";
import { row } from "./sql.js";

export function rateLimitRepository(em: Sql): RateLimitRepository {
  return {
    async hit(bucket, windowStart, tokens = 1) {
      const r = await row<{ count: number }>(
        em,
        `insert into rate_limit_counter (bucket, window_start, count) values (?, ?, ?)
         on conflict (bucket, window_start) do update set count = rate_limit_counter.count + excluded.count
         returning count`,
        [bucket, windowStart, tokens],
      );
      return Number(r?.count ?? 0);
    },
    async prune(before) {
      const r = await row<{ n: number }>(
        em,
        "with d as (delete from rate_limit_counter where window_start < ? returning 1) select count(*)::int as n from d",
        [before],
      );
      return Number(r?.n ?? 0);
    },
  };
}
