import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MikroORM } from "@mikro-orm/postgresql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EmbeddedPostgres,
  ensureEmbeddedPostgres,
  lockPathFor,
  readLockPid,
  socketPathFor,
} from "../../src/db/embedded/embedded-postgres.js";
import {
  cleanupEmbedded,
  connect,
  ensure,
  type PgClient,
  runHelper,
  tempDataDir,
  waitForChildExit,
} from "./helpers/embedded.js";

// These tests spawn the COMPILED child (packages/server/dist, built by `tsc -b` in the global
// setup), or the one BTPAY_PGLITE_CHILD points at. PGlite is WASM: a cold start takes seconds.
// The root vitest config allows 60 s per test and 120 s per hook.

afterAll(cleanupEmbedded);

describe("embedded postgres lifecycle", () => {
  it("keeps data across a clean restart (and reports start timings)", async () => {
    const dir = tempDataDir();
    let t = performance.now();
    const first = await ensure(dir);
    const cold = performance.now() - t;
    expect(first.spawned).toBe(true);
    const a = await connect(first);
    await a.query("create table notes (id int primary key, body text)");
    await a.query("insert into notes values (1, 'survives')");
    t = performance.now();
    for (let i = 0; i < 200; i++) await a.query("select $1::int as n", [i]);
    const roundTrip = (performance.now() - t) / 200;
    await a.end();
    await first.release();
    await waitForChildExit(dir);
    expect(fs.existsSync(socketPathFor(dir))).toBe(false);

    t = performance.now();
    const second = await ensure(dir);
    const warm = performance.now() - t;
    expect(second.spawned).toBe(true);
    const b = await connect(second);
    expect((await b.query("select body from notes")).rows).toEqual([{ body: "survives" }]);
    await b.end();
    await second.release();
    console.info(
      `embedded postgres: cold start ${cold.toFixed(0)} ms, warm start ${warm.toFixed(0)} ms, query round trip ${roundTrip.toFixed(2)} ms`,
    );
  });

  it("keeps committed rows when the process that spawned the child is kill -9ed", async () => {
    const dir = tempDataDir();
    const h = runHelper(["insert", dir, "50"]);
    expect(await h.firstLine).toEqual({ done: 50, spawned: true });
    h.proc.kill("SIGKILL");
    await h.exited;
    // The child outlives its parent while it matters: we can still reach it, or a new one starts.
    const emb = await ensure(dir);
    const c = await connect(emb);
    expect((await c.query("select count(*)::int as n from kv")).rows[0]).toEqual({ n: 50 });
    await c.end();
    await emb.release();
    await waitForChildExit(dir);
    const again = await ensure(dir);
    expect(again.spawned).toBe(true);
    const d = await connect(again);
    expect((await d.query("select count(*)::int as n from kv")).rows[0]).toEqual({ n: 50 });
    await d.end();
    await again.release();
  });

  it("keeps serving a later client after the process that spawned it exits", async () => {
    const dir = tempDataDir();
    const cli = runHelper(["insert", dir, "1"]);
    expect(await cli.firstLine).toEqual({ done: 1, spawned: true });
    const server = await ensure(dir);
    expect(server.spawned).toBe(false);
    const c = await connect(server);
    cli.proc.kill("SIGTERM");
    await cli.exited;
    await new Promise((r) => setTimeout(r, 3_000)); // longer than the child's idle grace
    expect((await c.query("select count(*)::int as n from kv")).rows).toEqual([{ n: 1 }]);
    await c.end();
    await server.release();
    const t = performance.now();
    await waitForChildExit(dir);
    expect(performance.now() - t).toBeLessThan(6_000); // ~2 s idle grace, then a clean close
  });

  it("recovers committed rows after kill -9 of the child itself (stale lock and socket)", async () => {
    const dir = tempDataDir();
    const emb = await ensure(dir);
    const c = await connect(emb);
    await c.query("create table t (n int)");
    await c.query("insert into t select generate_series(1, 20)");
    const pid = readLockPid(lockPathFor(dir)) as number;
    process.kill(pid, "SIGKILL");
    await expect(c.query("select 1")).rejects.toThrow();
    // Our handle notices (its lease closes) and starts a successor on the same socket path, taking
    // over the dead child's lock: a pool that reconnects just works again.
    let d: PgClient | null = null;
    for (let i = 0; i < 100 && !d; i++) {
      d = await connect(emb).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 200)));
    }
    expect(readLockPid(lockPathFor(dir))).not.toBe(pid);
    expect((await d?.query("select count(*)::int as n from t"))?.rows).toEqual([{ n: 20 }]);
    await d?.end();
    await emb.release();
  });

  it("lets only one of several processes starting at once open the data dir", async () => {
    const dir = tempDataDir();
    const runs = [0, 1, 2].map(() => runHelper(["query", dir]));
    const answers = await Promise.all(runs.map((r) => r.firstLine));
    expect(await Promise.all(runs.map((r) => r.exited))).toEqual([0, 0, 0]);
    expect(answers.filter((a) => a.spawned === true)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.id)).size).toBe(3);
    const emb = await ensure(dir);
    const c = await connect(emb);
    expect((await c.query("select count(*)::int as n from kv")).rows[0]).toEqual({ n: 3 });
    await c.end();
    await emb.release();
  });

  it("reports why a broken data dir cannot be opened, and lets go of it", async () => {
    const dir = tempDataDir();
    fs.mkdirSync(path.join(dir, "pgdata"));
    fs.writeFileSync(path.join(dir, "pgdata", "PG_VERSION"), "not a version\n");
    await expect(ensureEmbeddedPostgres(dir, { timeoutMs: 30_000 })).rejects.toThrow(
      /failed to start in .*data dir .*pgdata/,
    );
    await waitForChildExit(dir);
  });
});

describe("embedded postgres connections", () => {
  let emb: EmbeddedPostgres;
  let a: PgClient;
  let b: PgClient;

  beforeAll(async () => {
    // Long enough that the socket cannot live in the data dir (sun_path is ~104-108 bytes).
    emb = await ensure(tempDataDir(`/${"very-long-directory-name-".repeat(4)}/data`));
    a = await connect(emb);
    b = await connect(emb);
    await a.query("create table acct (id int primary key, balance bigint not null)");
    await a.query("insert into acct values (1, 0)");
  });

  afterAll(async () => {
    await a.end();
    await b.end();
    await emb.release();
  });

  it("puts a too-long socket path under the tmpdir", () => {
    expect(emb.host.startsWith(path.join(os.tmpdir(), "btpay-"))).toBe(true);
  });

  it("serves two connections at once", async () => {
    const [ra, rb] = await Promise.all([a.query("select 'a' as who"), b.query("select 'b' as who")]);
    expect(ra.rows).toEqual([{ who: "a" }]);
    expect(rb.rows).toEqual([{ who: "b" }]);
  });

  it("makes other connections wait while one is inside a transaction", async () => {
    await a.query("begin");
    await a.query("update acct set balance = balance + 10 where id = 1");
    let settled = false;
    const other = b.query<{ balance: string }>("select balance from acct where id = 1").then((r) => {
      settled = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(settled).toBe(false); // not a dirty read, not a snapshot race: it has not run yet
    await a.query("commit");
    expect((await other).rows).toEqual([{ balance: "10" }]);
  });

  it("rolls back the transaction of a connection that dies mid-way and unblocks the rest", async () => {
    const c = await connect(emb);
    await c.query("begin");
    await c.query("update acct set balance = 999 where id = 1");
    const waiting = b.query("select balance from acct where id = 1");
    await c.end(); // closes the socket without COMMIT
    expect((await waiting).rows).toEqual([{ balance: "10" }]);
  });

  it("never interleaves concurrent transactions", async () => {
    const clients = [a, b, await connect(emb), await connect(emb)];
    // Read-modify-write without row locks: any interleaving would lose updates.
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < 25; i++) {
          await c.query("begin");
          const { rows } = await c.query<{ balance: string }>("select balance from acct where id = 1");
          await c.query("update acct set balance = $1 where id = 1", [Number(rows[0]?.balance) + 1]);
          await c.query("commit");
        }
      }),
    );
    expect((await a.query("select balance from acct where id = 1")).rows).toEqual([{ balance: "110" }]);
    for (const c of clients.slice(2)) await c.end();
  });

  // Both failed with bare pglite-socket (it queues single messages, not whole requests): the
  // child's request gate is what makes these pass.
  it("keeps a Bind bigger than one socket read with its own Parse", async () => {
    const big = "x".repeat(2_000_000);
    for (let round = 0; round < 5; round++) {
      const pa = a.query<{ n: number }>("select length($1::text) as n", [big]);
      for (let i = 0; i < 10; i++) expect((await b.query("select $1::int as i", [i])).rows).toEqual([{ i }]);
      expect((await pa).rows).toEqual([{ n: big.length }]);
    }
  });

  it("keeps the requests of two clients that waited behind a transaction apart", async () => {
    const c = await connect(emb);
    for (let round = 0; round < 5; round++) {
      await a.query("begin");
      const pb = b.query<{ v: string }>("select $1::text as v", [`b${round}`]);
      const pc = c.query<{ n: number }>("select $1::int + 1000 as n", [round]);
      await new Promise((r) => setTimeout(r, 30));
      await a.query("commit");
      expect((await pb).rows).toEqual([{ v: `b${round}` }]);
      expect((await pc).rows).toEqual([{ n: 1000 + round }]);
    }
    await c.end();
  });

  it("supports the Postgres features btpay relies on", async () => {
    await a.query(
      "create table job (id bigserial primary key, k text unique, n numeric(20,8), doc jsonb, big bigint, taken boolean default false)",
    );
    const ins = await a.query<{ id: string; n: string }>(
      "insert into job (k, n, doc, big) values ($1, $2, $3, $4) on conflict (k) do update set n = excluded.n returning id, n",
      ["x", "0.12345678", JSON.stringify({ a: [1, 2] }), "9007199254740993"],
    );
    expect(ins.rows[0]?.n).toBe("0.12345678");
    const up = await a.query<{ id: string; n: string }>(
      "insert into job (k, n) values ('x', 1.5) on conflict (k) do update set n = excluded.n returning id, n",
    );
    expect(up.rows[0]).toEqual({ id: ins.rows[0]?.id, n: "1.50000000" });
    const row = await a.query("select big, doc->'a'->>1 as second from job where k = 'x'");
    expect(row.rows[0]).toEqual({ big: "9007199254740993", second: "2" });

    await a.query("begin");
    const locked = await a.query("select id from job where not taken order by id for update skip locked limit 1");
    expect(locked.rows).toHaveLength(1);
    await a.query("commit");
    // Transaction-scoped advisory locks are exclusive, because whole transactions are serialized.
    await a.query("begin");
    await a.query("select pg_advisory_xact_lock(7)");
    await a.query("commit");
  });

  it("shares ONE session between connections (documented limit)", async () => {
    // Session advisory locks therefore do not exclude other connections: use xact locks instead.
    expect((await a.query("select pg_try_advisory_lock(42) as ok")).rows).toEqual([{ ok: true }]);
    expect((await b.query("select pg_try_advisory_lock(42) as ok")).rows).toEqual([{ ok: true }]);
    await a.query("select pg_advisory_unlock_all()");
  });

  it("shares named statements between connections: the second Parse is answered by the gate", async () => {
    const text = "select $1::bigint * 2 as b";
    // Each client prepares "shared_1" on its own connection; behind the socket it is one session.
    const [ra, rb] = await Promise.all([
      a.query({ name: "shared_1", text, values: [1] }),
      b.query({ name: "shared_1", text, values: [2] }),
    ]);
    expect(ra.rows).toEqual([{ b: "2" }]);
    expect(rb.rows).toEqual([{ b: "4" }]);
    // Both clients now run it by name alone, and a third connection can still prepare it.
    expect((await b.query({ name: "shared_1", text, values: [3] })).rows).toEqual([{ b: "6" }]);
    const c = await connect(emb);
    try {
      expect((await c.query({ name: "shared_1", text, values: [4] })).rows).toEqual([{ b: "8" }]);
    } finally {
      await c.end();
    }
  });

  it("keeps Postgres's answer for a name reused with another text, and never confirms a failed Parse", async () => {
    await a.query({ name: "shared_2", text: "select 1 as one", values: [] });
    await expect(b.query({ name: "shared_2", text: "select 2 as two", values: [] })).rejects.toThrow(/already exists/);
    // A Parse that fails leaves nothing prepared, for this client or the next.
    await expect(a.query({ name: "shared_3", text: "select from nowhere_at_all", values: [] })).rejects.toThrow(
      /nowhere_at_all/,
    );
    await a.query("create table nowhere_at_all (x int)");
    expect((await b.query({ name: "shared_3", text: "select from nowhere_at_all", values: [] })).rows).toEqual([]);
    await a.query("drop table nowhere_at_all");
  });

  it("forgets statements the session drops (DEALLOCATE ALL)", async () => {
    const text = "select 5 as five";
    await a.query({ name: "shared_4", text, values: [] });
    await b.query("deallocate all");
    const c = await connect(emb);
    try {
      // Answered by the engine again, not from the gate's memory of a statement that is gone.
      expect((await c.query({ name: "shared_4", text, values: [] })).rows).toEqual([{ five: 5 }]);
      expect((await c.query({ name: "shared_4", text, values: [] })).rows).toEqual([{ five: 5 }]);
    } finally {
      await c.end();
    }
  });

  it("works through MikroORM's postgres driver", async () => {
    const orm = await MikroORM.init({
      host: emb.host,
      port: emb.port,
      user: emb.user,
      password: emb.password,
      dbName: emb.dbName,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      pool: { min: 1, max: 1 },
    });
    try {
      const n = await orm.em.fork().transactional(async (em) => {
        await em.execute("select pg_advisory_xact_lock(hashtext('btpay.migrations'))");
        return em.execute<{ n: number }[]>("select count(*)::int as n from acct");
      });
      expect(n).toEqual([{ n: 1 }]);
    } finally {
      await orm.close();
    }
  });
});
