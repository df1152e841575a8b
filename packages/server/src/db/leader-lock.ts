import pg from "pg";
import type { LeaderLock } from "../ports.js";

/**
 * Leadership through a Postgres session-level advisory lock held on a dedicated connection (not one
 * from the pool): while the connection lives, the lock is ours; when the process dies, Postgres
 * drops the connection and the lock with it, and another process takes over on its next try.
 */
export async function tryAdvisoryLock(databaseUrl: string, name: string): Promise<LeaderLock | null> {
  const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
  let markLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => {
    markLost = resolve;
  });
  client.on("error", () => markLost());
  client.on("end", () => markLost());
  await client.connect();
  let held = false;
  try {
    const r = await client.query<{ ok: boolean }>("select pg_try_advisory_lock(hashtextextended($1, 0)) as ok", [
      `btpay:${name}`,
    ]);
    held = r.rows[0]?.ok === true;
  } finally {
    if (!held) await client.end().catch(() => undefined);
  }
  if (!held) return null;
  // A connection that silently died (a network cut, not a close) is noticed by this heartbeat.
  const heartbeat = setInterval(() => {
    client.query("select 1").catch(() => markLost());
  }, 5_000);
  heartbeat.unref();
  void lost.then(() => clearInterval(heartbeat));
  return {
    lost,
    async release() {
      clearInterval(heartbeat);
      await client.end().catch(() => undefined);
      markLost();
    },
  };
}

/**
 * The embedded database has one Postgres session shared by all its clients, where advisory locks
 * cannot exclude anyone; and one data directory has one owner process anyway (the lock file). So
 * leadership is always granted there. Watchers stay correct even if two run: see PaymentTracker.
 */
export function alwaysLeader(): LeaderLock {
  let markLost: () => void = () => undefined;
  const lost = new Promise<void>((resolve) => {
    markLost = resolve;
  });
  return {
    lost,
    async release() {
      markLost();
    },
  };
}
