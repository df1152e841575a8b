import type { MikroORM } from "@mikro-orm/postgresql";
import type { Logger } from "../logger.js";
import type { Database } from "../ports.js";
import { mikroDatabase } from "./database.js";
import { ensureEmbeddedPostgres } from "./embedded/embedded-postgres.js";
import { tableUpkeep } from "./embedded/table-upkeep.js";
import { alwaysLeader, tryAdvisoryLock } from "./leader-lock.js";
import { initOrm, migrate } from "./orm.js";

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolSize: number;
  /** Apply pending migrations (serve and migrate do; other CLI commands too, it is cheap when current). */
  migrate: boolean;
}

export interface OpenedDatabase {
  db: Database;
  orm: MikroORM;
  kind: "postgres" | "embedded";
  migrationsApplied: string[];
}

/** A real Postgres when a URL is given; otherwise the embedded PGlite child, through the same driver. */
export async function openDatabase(opts: DatabaseOptions, logger: Logger): Promise<OpenedDatabase> {
  if (opts.databaseUrl) {
    const orm = await initOrm({ kind: "url", url: opts.databaseUrl, poolSize: opts.poolSize });
    const applied = opts.migrate ? await migrate(orm, "url") : [];
    const url = opts.databaseUrl;
    const db = mikroDatabase(orm, { namedStatements: true, tryLeadership: (name) => tryAdvisoryLock(url, name) });
    return { db, orm, kind: "postgres", migrationsApplied: applied };
  }
  const embedded = await ensureEmbeddedPostgres(opts.dataDir, {
    log: (msg, fields) => logger.info({ ...fields }, msg),
  });
  try {
    const orm = await initOrm({ kind: "socket", ...embedded });
    const applied = opts.migrate ? await migrate(orm, "socket") : [];
    return {
      db: mikroDatabase(orm, {
        // Shared by every connection of the one PGlite session: the socket gate makes that safe
        // (db/embedded/session-statements.ts).
        namedStatements: true,
        onClose: () => embedded.release(),
        tryLeadership: async () => alwaysLeader(),
        // PGlite has no autovacuum; housekeeping does its job (db/embedded/table-upkeep.ts).
        upkeep: (connection) => tableUpkeep(connection),
      }),
      orm,
      kind: "embedded",
      migrationsApplied: applied,
    };
  } catch (err) {
    await embedded.release();
    throw err;
  }
}
