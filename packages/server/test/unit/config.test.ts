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

describe("chain config", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };

  it("watches nothing by default, and says so in config", () => {
    expect(loadConfig({}).chain).toMatchObject({ backend: "none", pollMs: 5000 });
    expect(loadConfig({}).monitoringMinutes).toBe(1440);
  });

  it("one configured backend is the one used", () => {
    expect(loadConfig({ BTPAY_ESPLORA_URL: "https://mempool.space/api" }).chain).toMatchObject({
      backend: "esplora",
      esploraUrl: "https://mempool.space/api",
      pollMs: 30_000,
    });
    expect(
      loadConfig({ BTPAY_ELECTRUM: "electrum.example.com:50002", BTPAY_ELECTRUM_TLS: "true" }).chain,
    ).toMatchObject({
      backend: "electrum",
      electrum: { host: "electrum.example.com", port: 50002 },
      electrumTls: true,
    });
    expect(loadConfig({ BTPAY_BITCOIND_RPC_URL: "http://u:p@127.0.0.1:8332/" }).chain.backend).toBe("bitcoind");
    expect(
      loadConfig({ BTPAY_BITCOIND_RPC_URL: "http://u:p@127.0.0.1:8332/", BTPAY_BITCOIND_ZMQ: "tcp://127.0.0.1:28332" })
        .chain.bitcoindZmqUrl,
    ).toBe("tcp://127.0.0.1:28332");
  });

  it("several backends need BTPAY_CHAIN to choose", () => {
    const env = { BTPAY_ESPLORA_URL: "https://mempool.space/api", BTPAY_ELECTRUM: "127.0.0.1:50001" };
    expect(problems(env).join("\n")).toMatch(/choose one with BTPAY_CHAIN/);
    expect(loadConfig({ ...env, BTPAY_CHAIN: "electrum" }).chain.backend).toBe("electrum");
  });

  it("refuses a backend without its URL, bad URLs and a bad electrum address, naming the variable", () => {
    expect(problems({ BTPAY_CHAIN: "bitcoind" }).join("\n")).toMatch(/BTPAY_BITCOIND_RPC_URL/);
    expect(problems({ BTPAY_ESPLORA_URL: "mempool.space" }).join("\n")).toMatch(/BTPAY_ESPLORA_URL must be an http/);
    expect(problems({ BTPAY_ELECTRUM: "nohostport" }).join("\n")).toMatch(/BTPAY_ELECTRUM must be host:port/);
    for (const zmq of ["127.0.0.1:28332", "http://127.0.0.1:28332", "tcp://127.0.0.1", "tcp://127.0.0.1:70000"]) {
      expect(problems({ BTPAY_BITCOIND_ZMQ: zmq }).join("\n")).toMatch(/BTPAY_BITCOIND_ZMQ must be tcp:\/\/host:port/);
    }
    expect(problems({ BTPAY_CHAIN: "lightning" }).join("\n")).toMatch(/BTPAY_CHAIN/);
    expect(problems({ BTPAY_CHAIN_POLL_MS: "5" }).join("\n")).toMatch(/BTPAY_CHAIN_POLL_MS/);
  });
});
