import type { TableUpkeep } from "../../ports.js";
import type { PgConnection } from "../repositories/sql.js";

/**
 * Autovacuum's job, for the embedded database, which has none (PGlite runs no background workers).
 * Without it an embedded install would keep every dead row version it ever made (rate-limit
 * counters, deliveries, claimed addresses), its index-only scans (the invoice list) would visit the
 * heap for rows no VACUUM marked all-visible, and its planner would have no statistics at all.
 *
 * Tables are picked with autovacuum's default rules: dead rows above 50 + 20% of the live ones, or
 * rows inserted since the last vacuum above 1,000 + 20% (PostgreSQL 13's insert rule, which keeps
 * the visibility map current for index-only scans) -> VACUUM (ANALYZE); rows changed since the last
 * analyze above 50 + 10% -> ANALYZE. PGlite runs one statement at a time for every client, so a
 * pass does at most `maxTables` tables, the most needed first, and the rest wait for the next pass.
 */
export async function tableUpkeep(connection: PgConnection, maxTables = 3): Promise<TableUpkeep[]> {
  // Catalog names are quoted by format('%I'), so the statements below are built from them safely.
  // Values are empty on purpose: a query without parameters goes as a simple query, the only way
  // VACUUM may be sent (it refuses to run inside the extended protocol's implicit transaction).
  const { rows } = await connection.query({
    text: `select format('%I.%I', schemaname, relname) as name,
         (n_dead_tup > 50 + 0.2 * n_live_tup or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup) as vacuum,
         greatest(n_dead_tup / (50 + 0.2 * n_live_tup), n_ins_since_vacuum / (1000 + 0.2 * n_live_tup),
           n_mod_since_analyze / (50 + 0.1 * n_live_tup)) as need
       from pg_stat_user_tables
       where n_dead_tup > 50 + 0.2 * n_live_tup
          or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup
          or n_mod_since_analyze > 50 + 0.1 * n_live_tup
       order by need desc
       limit ${Math.max(1, Math.floor(maxTables))}`,
    values: [],
  });
  const done: TableUpkeep[] = [];
  for (const r of rows as { name: string; vacuum: boolean }[]) {
    const action = r.vacuum ? "vacuum analyze" : "analyze";
    const started = process.hrtime.bigint();
    await connection.query({ text: r.vacuum ? `vacuum (analyze) ${r.name}` : `analyze ${r.name}`, values: [] });
    const durationMs = Number((process.hrtime.bigint() - started) / 100_000n) / 10;
    done.push({ table: r.name, action, durationMs });
  }
  return done;
}
