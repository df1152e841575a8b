import path from "node:path";

/** Everything btpay reads from the environment, parsed and checked once at start. */
export interface Config {
  port: number;
  host: string;
  /** A real Postgres; when absent btpay runs its embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dbPoolSize: number;
  dataDir: string;
  /** Requests per minute per API key, shared by every process on the database. */
  rateLimitPerMinute: number;
  /** Requests per minute per client address on the public (unauthenticated) endpoints. */
  publicRateLimitPerMinute: number;
  /** Unpaid open invoices a payment link may have at once (stops address burning). */
  paymentLinkMaxOpenInvoices: number;
  /** http and private/loopback webhook targets allowed (development and tests only). */
  allowPrivateWebhooks: boolean;
  /** Key that encrypts webhook secrets at rest (32 bytes, hex or base64); null = a key file in dataDir. */
  secretKey: string | null;
  webhooks: { timeoutMs: number; pollMs: number; endpoints: number };
  /** How long a process trusts a key it has seen valid (a revocation takes effect within this). */
  authCacheSeconds: number;
  bodyLimitBytes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  invoicePrefix: string;
  defaultCurrency: string;
  /** Express `trust proxy`: set when btpay sits behind a reverse proxy that sets X-Forwarded-For. */
  trustProxy: boolean;
  network: "mainnet" | "testnet" | "signet" | "regtest";
  /** Minutes a finalized invoice's BTC price holds. */
  quoteDeadlineMinutes: number;
  /** Unpaid addresses in a row a new wallet's software scans (per wallet; default for new wallets). */
  gapLimit: number;
  /** Hours after which a released address may be handed out again; null = never reuse. */
  addressReuseAfterHours: number | null;
  /** Minutes a partly paid invoice stays open after its quote deadline, and how long a confirmed or
   * expired invoice is still watched for reorgs and late payments. */
  monitoringMinutes: number;
  rates: RateConfig;
  chain: ChainConfig;
}

/** Which chain backend the watcher reads. `none`: payments are not detected (a warning at start). */
export interface ChainConfig {
  backend: "none" | "esplora" | "bitcoind" | "electrum";
  /** Esplora base URL, e.g. https://mempool.space/api. */
  esploraUrl: string | undefined;
  /** Bitcoin Core RPC URL with credentials, e.g. http://user:pass@127.0.0.1:8332/. */
  bitcoindRpcUrl: string | undefined;
  /** Bitcoin Core's ZMQ `hashblock` + `rawtx` address, e.g. tcp://127.0.0.1:28332: push hints for bitcoind. */
  bitcoindZmqUrl: string | undefined;
  /** Electrum server `host:port`; `electrumTls` for TLS (electrs/Fulcrum `:50002`). */
  electrum: { host: string; port: number } | undefined;
  electrumTls: boolean;
  /** How often the watcher re-reads the chain without a push hint, ms. */
  pollMs: number;
}

export interface RateConfig {
  /** `USD:70862.71,EUR:61919.68`: use exactly these instead of fetching (tests, demos). */
  fixed: string | undefined;
  /** Comma-separated source names, fetched in parallel and combined by median. */
  sources: string;
  /** Fiat currencies the refresher keeps rates for (invoices in others cannot be finalized). */
  currencies: string[];
  /** Per-source base URL overrides, `kraken=http://127.0.0.1:7001/kraken,...`. */
  sourceUrls: Record<string, string>;
  refreshSeconds: number;
  /** Quotes older than this are refused: finalize says so instead of pricing on an old rate. */
  maxAgeSeconds: number;
  /** A quote this far (percent) from the median is dropped as an outlier. */
  outlierPercent: number;
  /** Agreeing sources a currency needs when several sources are configured. */
  minSources: number;
  timeoutMs: number;
}

function urlMap(raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(",")) {
    const m = /^\s*([a-z]+)=(https?:\/\/\S+)\s*$/.exec(pair);
    if (!m?.[1] || !m[2]) {
      problems.push(`BTPAY_RATE_SOURCE_URLS must look like "kraken=http://host:port/path,..." (got "${pair}")`);
      continue;
    }
    out[m[1]] = m[2];
  }
  return out;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, problems: string[]): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
    return fallback;
  }
  return raw as T;
}

function bool(env: Env, name: string, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return false;
  if (!["true", "false", "1", "0"].includes(raw)) {
    problems.push(`${name} must be true or false (got "${raw}")`);
    return false;
  }
  return raw === "true" || raw === "1";
}

/** Parses and validates; throws one ConfigError listing every problem, not just the first. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("DATABASE_URL must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)");
  }
  const invoicePrefix = env.BTPAY_INVOICE_PREFIX ?? "INV-";
  if (!/^[A-Za-z0-9_-]{0,20}$/.test(invoicePrefix)) {
    problems.push(
      `BTPAY_INVOICE_PREFIX may only hold letters, digits, "-" and "_" (at most 20), got "${invoicePrefix}"`,
    );
  }
  const defaultCurrency = (env.BTPAY_DEFAULT_CURRENCY ?? "USD").toUpperCase();
  if (!/^[A-Z]{3}$/.test(defaultCurrency)) {
    problems.push(`BTPAY_DEFAULT_CURRENCY must be a three-letter ISO 4217 code (got "${defaultCurrency}")`);
  }
  const config: Config = {
    port: integer(env, "PORT", 5000, 0, 65535, problems),
    host: env.HOST || "127.0.0.1",
    databaseUrl,
    dbPoolSize: integer(env, "BTPAY_DB_POOL_SIZE", 10, 1, 200, problems),
    dataDir: path.resolve(env.BTPAY_DATA_DIR || "./data"),
    rateLimitPerMinute: integer(env, "BTPAY_RATE_LIMIT_PER_MINUTE", 100, 1, 10_000_000, problems),
    authCacheSeconds: integer(env, "BTPAY_AUTH_CACHE_SECONDS", 2, 0, 60, problems),
    publicRateLimitPerMinute: integer(env, "BTPAY_PUBLIC_RATE_LIMIT_PER_MINUTE", 60, 1, 10_000_000, problems),
    paymentLinkMaxOpenInvoices: integer(env, "BTPAY_PAYMENT_LINK_MAX_OPEN_INVOICES", 20, 1, 100_000, problems),
    allowPrivateWebhooks: bool(env, "BTPAY_ALLOW_PRIVATE_WEBHOOKS", problems),
    secretKey: env.BTPAY_SECRET_KEY || null,
    webhooks: {
      timeoutMs: integer(env, "BTPAY_WEBHOOK_TIMEOUT_MS", 10_000, 100, 120_000, problems),
      pollMs: integer(env, "BTPAY_WEBHOOK_POLL_MS", 100, 10, 60_000, problems),
      endpoints: integer(env, "BTPAY_WEBHOOK_CONCURRENCY", 16, 1, 1000, problems),
    },
    bodyLimitBytes: integer(env, "BTPAY_BODY_LIMIT_BYTES", 100_000, 1_000, 10_000_000, problems),
    logLevel: oneOf(
      env,
      "BTPAY_LOG_LEVEL",
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"],
      "info",
      problems,
    ),
    invoicePrefix,
    defaultCurrency,
    trustProxy: bool(env, "BTPAY_TRUST_PROXY", problems),
    network: oneOf(env, "BTPAY_NETWORK", ["mainnet", "testnet", "signet", "regtest"], "mainnet", problems),
    quoteDeadlineMinutes: integer(env, "BTPAY_QUOTE_DEADLINE", 30, 1, 1440, problems),
    gapLimit: integer(env, "BTPAY_GAP_LIMIT", 20, 1, 1000, problems),
    addressReuseAfterHours:
      env.BTPAY_ADDRESS_REUSE_AFTER_HOURS === undefined || env.BTPAY_ADDRESS_REUSE_AFTER_HOURS === ""
        ? null
        : integer(env, "BTPAY_ADDRESS_REUSE_AFTER_HOURS", 0, 1, 100_000, problems),
    monitoringMinutes: integer(env, "BTPAY_MONITORING_MINUTES", 1440, 0, 43_200, problems),
    chain: chainConfig(env, problems),
    rates: {
      fixed: env.BTPAY_RATES_FIXED || undefined,
      sources: env.BTPAY_RATE_SOURCES || "kraken,coinbase,bitstamp,coingecko,mempool",
      currencies: (env.BTPAY_RATE_CURRENCIES || "USD,EUR,GBP,CAD,CHF,AUD,JPY")
        .split(",")
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c !== ""),
      sourceUrls: urlMap(env.BTPAY_RATE_SOURCE_URLS, problems),
      refreshSeconds: integer(env, "BTPAY_RATE_REFRESH_SECONDS", 60, 5, 86_400, problems),
      maxAgeSeconds: integer(env, "BTPAY_RATE_MAX_AGE_SECONDS", 600, 30, 86_400, problems),
      outlierPercent: integer(env, "BTPAY_RATE_OUTLIER_PERCENT", 2, 1, 50, problems),
      minSources: integer(env, "BTPAY_RATE_MIN_SOURCES", 2, 1, 10, problems),
      timeoutMs: integer(env, "BTPAY_RATE_TIMEOUT_MS", 5_000, 100, 60_000, problems),
    },
  };
  if (config.rates.currencies.some((c) => !/^[A-Z]{3}$/.test(c))) {
    problems.push(
      `BTPAY_RATE_CURRENCIES must be three-letter codes separated by commas (got "${env.BTPAY_RATE_CURRENCIES}")`,
    );
  }
  if (
    config.rates.fixed !== undefined &&
    !/^[A-Za-z]{3}:[0-9]+(\.[0-9]+)?(,[A-Za-z]{3}:[0-9]+(\.[0-9]+)?)*$/.test(config.rates.fixed)
  ) {
    problems.push(`BTPAY_RATES_FIXED must look like "USD:70862.71,EUR:61919.68" (got "${config.rates.fixed}")`);
  }
  if (
    config.secretKey !== null &&
    !/^[0-9a-fA-F]{64}$/.test(config.secretKey) &&
    Buffer.from(config.secretKey, "base64").length !== 32
  ) {
    problems.push("BTPAY_SECRET_KEY must be 32 bytes: 64 hex characters or base64 (e.g. `openssl rand -hex 32`)");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function chainConfig(env: Env, problems: string[]): ChainConfig {
  const esploraUrl = env.BTPAY_ESPLORA_URL || undefined;
  const bitcoindRpcUrl = env.BTPAY_BITCOIND_RPC_URL || undefined;
  const bitcoindZmqUrl = env.BTPAY_BITCOIND_ZMQ || undefined;
  const electrumRaw = env.BTPAY_ELECTRUM || undefined;
  let electrum: ChainConfig["electrum"];
  if (electrumRaw !== undefined) {
    const m = /^(.+):([0-9]{1,5})$/.exec(electrumRaw);
    if (!m) problems.push(`BTPAY_ELECTRUM must be host:port, e.g. 127.0.0.1:50001 (got "${electrumRaw}")`);
    else electrum = { host: (m[1] as string).replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) };
  }
  for (const [name, url] of [
    ["BTPAY_ESPLORA_URL", esploraUrl],
    ["BTPAY_BITCOIND_RPC_URL", bitcoindRpcUrl],
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url))
      problems.push(`${name} must be an http(s) URL (got "${url}")`);
  }
  if (bitcoindZmqUrl !== undefined) {
    const port = Number(/^tcp:\/\/[^\s/]+:([0-9]{1,5})$/.exec(bitcoindZmqUrl)?.[1]);
    if (!(port >= 1 && port <= 65_535))
      problems.push(`BTPAY_BITCOIND_ZMQ must be tcp://host:port, e.g. tcp://127.0.0.1:28332 (got "${bitcoindZmqUrl}")`);
  }
  const configured = [esploraUrl && "esplora", bitcoindRpcUrl && "bitcoind", electrum && "electrum"].filter(
    (b): b is "esplora" | "bitcoind" | "electrum" => typeof b === "string",
  );
  const backend = oneOf(
    env,
    "BTPAY_CHAIN",
    ["none", "esplora", "bitcoind", "electrum"],
    configured.length === 1 ? (configured[0] as ChainConfig["backend"]) : "none",
    problems,
  );
  if (configured.length > 1 && !env.BTPAY_CHAIN) {
    problems.push(`several chain backends are configured (${configured.join(", ")}): choose one with BTPAY_CHAIN`);
  }
  if (backend === "esplora" && !esploraUrl) problems.push("BTPAY_CHAIN=esplora needs BTPAY_ESPLORA_URL");
  if (backend === "bitcoind" && !bitcoindRpcUrl) problems.push("BTPAY_CHAIN=bitcoind needs BTPAY_BITCOIND_RPC_URL");
  if (backend === "electrum" && !electrumRaw) problems.push("BTPAY_CHAIN=electrum needs BTPAY_ELECTRUM (host:port)");
  return {
    backend,
    esploraUrl,
    bitcoindRpcUrl,
    bitcoindZmqUrl,
    electrum,
    electrumTls: bool(env, "BTPAY_ELECTRUM_TLS", problems),
    pollMs: integer(env, "BTPAY_CHAIN_POLL_MS", backend === "esplora" ? 30_000 : 5_000, 100, 3_600_000, problems),
  };
}
