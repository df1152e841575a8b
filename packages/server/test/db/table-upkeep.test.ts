import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testDbKind } from "../helpers/test-server.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t?.close());

interface Stats {
  n_dead_tup: string;
  n_mod_since_analyze: string;
  last_vacuum: Date | null;
  last_analyze: Date | null;
}

describe("table upkeep (the embedded database's autovacuum)", () => {
  it.runIf(testDbKind === "embedded")(
    "vacuums and analyzes a table with many dead rows, then has nothing left to do",
    async () => {
      const em = t.opened.orm.em.fork();
      const stats = async () =>
        (
          await em.execute<Stats[]>(
            `select n_dead_tup::text, n_mod_since_analyze::text, last_vacuum, last_analyze
             from pg_stat_user_tables where relname = 'upkeep_churn'`,
          )
        )[0];
      await em.execute("create table upkeep_churn (id int primary key, v int)");
      await em.execute("insert into upkeep_churn select g, 0 from generate_series(1, 2000) g");
      await em.execute("update upkeep_churn set v = 1");
      // Statistics reach the shared counters at most once a second, at the end of a statement.
      for (let i = 0; i < 50 && Number((await stats())?.n_dead_tup ?? 0) < 2000; i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(Number((await stats())?.n_dead_tup)).toBeGreaterThanOrEqual(2000);
      expect((await stats())?.last_vacuum).toBeNull();

      const upkeep = t.opened.db.upkeep;
      if (!upkeep) throw new Error("the embedded database has no upkeep");
      const done = [];
      for (let pass = 0; pass < 10; pass++) {
        const did = await upkeep();
        if (did.length === 0) break;
        expect(did.length).toBeLessThanOrEqual(3);
        done.push(...did);
      }
      expect(done.find((d) => d.table === "public.upkeep_churn")).toMatchObject({ action: "vacuum analyze" });
      const after = await stats();
      expect(after?.n_dead_tup).toBe("0");
      expect(after?.last_vacuum).not.toBeNull();
      expect(after?.last_analyze).not.toBeNull();
      // The planner now knows the table.
      const known = await em.execute<{ n: string }[]>(
        "select count(*)::text as n from pg_stats where tablename = 'upkeep_churn'",
      );
      expect(Number(known[0]?.n)).toBeGreaterThan(0);
      expect(await upkeep()).toEqual([]);
    },
  );

  it.runIf(testDbKind === "postgres")("is left to PostgreSQL's own autovacuum", () => {
    expect(t.opened.db.upkeep).toBeUndefined();
  });
});
