import type { ExchangeRateRepository, StoredRate } from "../../ports.js";
import type { Sql } from "./sql.js";
import { toDate, trimNumeric } from "./sql.js";

interface RateRow {
  currency: string;
  rate: string;
  sources: string[];
  quoted_at: Date | string;
  fetched_at: Date | string;
}

export function exchangeRateRepository(sql: Sql): ExchangeRateRepository {
  return {
    async upsert(rates) {
      if (rates.length === 0) return;
      await sql(
        `insert into exchange_rate (currency, rate, sources, quoted_at, fetched_at)
         select v.currency, v.rate, v.sources, v.quoted_at, v.fetched_at
         from jsonb_to_recordset(?::jsonb) as v(currency text, rate numeric, sources text[], quoted_at timestamptz,
           fetched_at timestamptz)
         on conflict (currency) do update set rate = excluded.rate, sources = excluded.sources,
           quoted_at = excluded.quoted_at, fetched_at = excluded.fetched_at
         where exchange_rate.quoted_at <= excluded.quoted_at`,
        [
          JSON.stringify(
            rates.map((r) => ({
              currency: r.currency,
              rate: r.rate,
              sources: r.sources,
              quoted_at: r.quotedAt.toISOString(),
              fetched_at: r.fetchedAt.toISOString(),
            })),
          ),
        ],
      );
    },
    async all() {
      const rows = await sql<RateRow>(
        "select currency, rate::text as rate, sources, quoted_at, fetched_at from exchange_rate order by currency",
      );
      return rows.map(
        (r): StoredRate => ({
          currency: r.currency,
          rate: trimNumeric(r.rate),
          sources: r.sources,
          quotedAt: toDate(r.quoted_at),
          fetchedAt: toDate(r.fetched_at),
        }),
      );
    },
  };
}
