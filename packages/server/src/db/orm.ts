import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/postgresql";
import { entities } from "./entities/index.js";
import { migrationsList } from "./migrations/index.js";

/** Connections per process to the embedded database's socket. */
export const EMBEDDED_POOL_SIZE = 4;

/** Where the database is: a Postgres URL, or the socket of the embedded PGlite child. */
export type DbTarget =
  | { kind: "url"; url: string; poolSize: number }
  | { kind: "socket"; host: string; port: number; user: string; password: string; dbName: string };

export async function initOrm(target: DbTarget): Promise<MikroORM> {
  const connection =
    target.kind === "url"
      ? { clientUrl: target.url, pool: { min: 0, max: Math.max(2, target.poolSize) } }
      : {
          host: target.host,
          port: target.port,
          user: target.user,
          password: target.password,
          dbName: target.dbName,
          // PGlite is one backend behind a multiplexer that runs one request at a time and one
          // transaction at a time (db/embedded/request-gate.ts). A few connections let a process
          // queue its next statements there while the engine runs the current one, instead of the
          // engine idling through every round trip (measured in docs/benchmarks.md).
          pool: { min: 1, max: EMBEDDED_POOL_SIZE },
        };
  return MikroORM.init({
    ...connection,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    discovery: { warnWhenNoEntities: false },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    // No ORM log lines: our own logger writes structured lines and never SQL parameters.
    logger: () => {},
  });
}

/**
 * Runs pending migrations so that two processes starting together take turns.
 * - Postgres: one transaction holds an advisory lock and runs the migrations (the migrator checks
 *   its bookkeeping table on a second pooled connection, hence a pool of at least 2).
 * - Embedded: every process shares PGlite's single session, so advisory locks exclude nothing; but
 *   the socket multiplexer runs one transaction at a time, and the migrator's own transaction
 *   re-reads what has been applied inside it, so a second process finds nothing left to do.
 */
export async function migrate(orm: MikroORM, kind: DbTarget["kind"]): Promise<string[]> {
  if (kind === "socket") return (await orm.migrator.up()).map((m) => m.name);
  return orm.em.fork().transactional(async (em) => {
    await em.execute("select pg_advisory_xact_lock(hashtext('btpay.migrations'))");
    const done = await orm.migrator.up({ transaction: em.getTransactionContext() });
    return done.map((m) => m.name);
  });
}
