import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { pino } from "pino";
import { createApp } from "../../src/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import { type OpenedDatabase, openDatabase } from "../../src/db/connect.js";
import { createLogger } from "../../src/logger.js";
import { type ApiKeyAccess, type Clock, systemClock } from "../../src/ports.js";
import { ApiKeyService } from "../../src/services/api-keys.js";
import { SecretBox } from "../../src/services/secret-box.js";
import { StoreService } from "../../src/services/stores.js";

/**
 * Where tests keep their data: a fresh embedded data directory by default, or a fresh database on
 * the Postgres named by BTPAY_TEST_DATABASE_URL (an admin URL, e.g. postgres://postgres@127.0.0.1/postgres).
 */
export interface TestDatabaseTarget {
  kind: "embedded" | "postgres";
  /** Environment for a btpay process (CLI or server) using this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export const testDbKind = process.env.BTPAY_TEST_DATABASE_URL ? "postgres" : "embedded";

export async function createTestDatabase(): Promise<TestDatabaseTarget> {
  const admin = process.env.BTPAY_TEST_DATABASE_URL;
  if (!admin) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "btpay-test-"));
    return {
      kind: "embedded",
      env: { BTPAY_DATA_DIR: dataDir },
      async drop() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const name = `btpay_test_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    kind: "postgres",
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestServer {
  /** The key box the app seals webhook secrets with (a dispatcher in the test needs the same). */
  box: SecretBox;
  baseUrl: string;
  apiUrl: string;
  config: Config;
  opened: OpenedDatabase;
  target: TestDatabaseTarget;
  stores: StoreService;
  keys: ApiKeyService;
  /** A new store with one key of the given access; returns the key and the store id. */
  newStoreWithKey(access?: ApiKeyAccess, name?: string): Promise<{ key: string; storeId: string }>;
  close(): Promise<void>;
}

export async function startTestServer(
  opts: { env?: Record<string, string>; clock?: Clock; target?: TestDatabaseTarget } = {},
): Promise<TestServer> {
  const target = opts.target ?? (await createTestDatabase());
  const config = loadConfig({ BTPAY_RATE_LIMIT_PER_MINUTE: "100000", ...target.env, ...opts.env, PORT: "0" });
  const logger = createLogger(process.env.BTPAY_TEST_LOG_LEVEL ?? "error", pino.destination({ dest: 2, sync: true }));
  const opened = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 5, migrate: true },
    logger,
  );
  // Each test server seals secrets with its own key unless the test gives one (BTPAY_SECRET_KEY).
  const box = SecretBox.fromConfig(config.secretKey ?? randomBytes(32).toString("hex"), config.dataDir);
  const app = createApp({ config, db: opened.db, logger, clock: opts.clock ?? systemClock, box });
  const server: Server = await new Promise((resolve) => {
    const s = app.express.listen(0, "127.0.0.1", () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const stores = new StoreService(opened.db, { invoicePrefix: "INV-", defaultCurrency: "USD" });
  const keys = new ApiKeyService(opened.db);
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    box,
    baseUrl,
    apiUrl: `${baseUrl}/api/v1`,
    config,
    opened,
    target,
    stores,
    keys,
    async newStoreWithKey(access = "full", name = "Test store") {
      const store = await stores.create({ name });
      const created = await keys.create({ storeId: store.id, name: "test", access });
      return { key: created.key, storeId: store.id };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await opened.db.close();
      if (!opts.target) await target.drop();
    },
  };
}
