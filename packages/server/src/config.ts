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
  bodyLimitBytes: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  invoicePrefix: string;
  defaultCurrency: string;
  /** Express `trust proxy`: set when btpay sits behind a reverse proxy that sets X-Forwarded-For. */
  trustProxy: boolean;
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
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
