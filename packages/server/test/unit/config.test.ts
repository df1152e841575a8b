import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("config", () => {
  it("has working defaults with an empty environment", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 5000,
      host: "127.0.0.1",
      databaseUrl: undefined,
      dataDir: path.resolve("./data"),
      rateLimitPerMinute: 100,
      invoicePrefix: "INV-",
      defaultCurrency: "USD",
      logLevel: "info",
      trustProxy: false,
    });
  });

  it("reads every variable", () => {
    const c = loadConfig({
      PORT: "8080",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgres://u@db/btpay",
      BTPAY_DATA_DIR: "/var/lib/btpay",
      BTPAY_RATE_LIMIT_PER_MINUTE: "600",
      BTPAY_BODY_LIMIT_BYTES: "20000",
      BTPAY_LOG_LEVEL: "debug",
      BTPAY_INVOICE_PREFIX: "F-",
      BTPAY_DEFAULT_CURRENCY: "eur",
      BTPAY_TRUST_PROXY: "true",
      BTPAY_DB_POOL_SIZE: "4",
    });
    expect(c).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      databaseUrl: "postgres://u@db/btpay",
      dataDir: "/var/lib/btpay",
      rateLimitPerMinute: 600,
      bodyLimitBytes: 20000,
      logLevel: "debug",
      invoicePrefix: "F-",
      defaultCurrency: "EUR",
      trustProxy: true,
      dbPoolSize: 4,
    });
  });

  it("lists every problem at once, naming each variable", () => {
    try {
      loadConfig({ PORT: "http", DATABASE_URL: "mysql://x", BTPAY_LOG_LEVEL: "loud", BTPAY_TRUST_PROXY: "yes" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join("\n");
      for (const name of ["PORT", "DATABASE_URL", "BTPAY_LOG_LEVEL", "BTPAY_TRUST_PROXY"])
        expect(problems).toContain(name);
    }
  });
});
